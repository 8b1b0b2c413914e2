# licensemint: one image for the API, the delivery worker and migrations.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 licensemint
WORKDIR /app

COPY pyproject.toml alembic.ini ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
# Editable, so the code finds migrations/ and config/ beside it.
RUN pip install -e . && mkdir -p /app/var && chown licensemint /app/var

USER licensemint
ENV LICENSEMINT_VAR_DIR=/app/var
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=2).status == 200 else 1)"
CMD ["licensemint", "serve", "--host", "0.0.0.0", "--port", "8080"]
