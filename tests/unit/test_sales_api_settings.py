"""The Sales API settings: token, URL, CONFIRM_SALES, RECONCILE_EVERY."""

import pytest

from entrypoints.settings import SettingsError, load_settings


def settings(tmp_path, **env):
    return load_settings({"APP_ENV": "test", "LICENSEMINT_VAR_DIR": str(tmp_path), **env})


def test_without_a_token_confirmation_is_off(tmp_path):
    s = settings(tmp_path)
    assert s.gumroad_access_token is None and not s.confirm_sales
    assert s.gumroad_api_url == "https://api.gumroad.com" and s.reconcile_every_minutes == 15


def test_a_token_turns_confirmation_on_unless_it_is_turned_off(tmp_path):
    assert settings(tmp_path, GUMROAD_ACCESS_TOKEN="t").confirm_sales
    assert not settings(tmp_path, GUMROAD_ACCESS_TOKEN="t", CONFIRM_SALES="off").confirm_sales
    assert settings(tmp_path, GUMROAD_ACCESS_TOKEN="t", CONFIRM_SALES="ON").confirm_sales


@pytest.mark.parametrize("env, named", [
    ({"CONFIRM_SALES": "on"}, "CONFIRM_SALES=on needs GUMROAD_ACCESS_TOKEN"),
    ({"CONFIRM_SALES": "yes"}, "CONFIRM_SALES"),
    ({"GUMROAD_API_URL": "api.gumroad.com"}, "GUMROAD_API_URL"),
    ({"RECONCILE_EVERY": "soon"}, "RECONCILE_EVERY"),
    ({"RECONCILE_EVERY": "-5"}, "RECONCILE_EVERY"),
])
def test_a_bad_value_names_the_variable(tmp_path, env, named):
    with pytest.raises(SettingsError, match=named):
        settings(tmp_path, **env)


def test_reconcile_every_zero_turns_the_periodic_run_off(tmp_path):
    assert settings(tmp_path, RECONCILE_EVERY="0").reconcile_every_minutes == 0


def test_the_worker_reconciles_only_with_a_token_and_always_retries_waiting_events(tmp_path):
    from entrypoints.container import Container
    from entrypoints.sales_jobs import sales_jobs

    off = sales_jobs(Container(settings=settings(tmp_path)))
    assert off._reconcile is None and off._retry is not None
    on = sales_jobs(Container(settings=settings(tmp_path, GUMROAD_ACCESS_TOKEN="t")))
    assert on._reconcile is not None and on._retry is not None
    quiet = sales_jobs(Container(settings=settings(tmp_path, GUMROAD_ACCESS_TOKEN="t", RECONCILE_EVERY="0")))
    assert quiet._reconcile is None
