"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web

from entrypoints.container import Container
from entrypoints.sales_jobs import SalesJobs
from entrypoints.worker import DeliveryWorker

CONTAINER = web.AppKey("container", Container)
WORKER = web.AppKey("worker", DeliveryWorker)
SALES_JOBS = web.AppKey("sales_jobs", SalesJobs)
