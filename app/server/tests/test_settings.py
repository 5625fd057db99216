import pytest

from server.settings import Settings, SettingsError, cpu_limit


def test_defaults():
    s = Settings.from_env({"HOSTNAME": "web-1"})
    assert (s.port, s.log_level, s.version, s.threads, s.pod_name) == (8080, "INFO", "dev", 4, "web-1")
    assert s.workers >= 2
    assert s.keepalive_seconds > 350  # above the NLB's TCP idle timeout
    # A client gets far less time to send its request head than an idle connection may stay open.
    assert s.header_timeout_seconds < s.keepalive_seconds


def test_values_from_the_environment():
    s = Settings.from_env(
        {"PORT": "9000", "LOG_LEVEL": "debug", "APP_VERSION": "2.0", "WEB_CONCURRENCY": "3", "THREADS": "8",
         "MAX_BODY_BYTES": "10", "DRAIN_SECONDS": "0", "GRACEFUL_TIMEOUT": "5", "POD_NAME": "p",
         "HEADER_TIMEOUT_SECONDS": "3", "BODY_TIMEOUT_SECONDS": "4", "MAX_CONNECTIONS": "100"}
    )
    assert (s.port, s.log_level, s.version, s.workers, s.threads, s.max_body_bytes, s.drain_seconds,
            s.graceful_timeout, s.pod_name) == (9000, "DEBUG", "2.0", 3, 8, 10, 0, 5, "p")
    assert (s.header_timeout_seconds, s.body_timeout_seconds, s.max_connections) == (3, 4, 100)


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("PORT", "http", "PORT: got 'http', expected an integer from 1 to 65535"),
        ("PORT", "70000", "PORT: got '70000', expected an integer from 1 to 65535"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: got 'loud', expected one of DEBUG, INFO, WARNING, ERROR"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY: got '0', expected an integer from 1 to 64"),
        ("THREADS", "-2", "THREADS: got '-2', expected an integer from 1 to 64"),
        ("MAX_BODY_BYTES", "1e6", "MAX_BODY_BYTES: got '1e6', expected an integer from 1 to 1073741824"),
        ("DRAIN_SECONDS", "301", "DRAIN_SECONDS: got '301', expected an integer from 0 to 300"),
        ("HEADER_TIMEOUT_SECONDS", "0", "HEADER_TIMEOUT_SECONDS: got '0', expected an integer from 1 to 300"),
        ("BODY_TIMEOUT_SECONDS", "5m", "BODY_TIMEOUT_SECONDS: got '5m', expected an integer from 1 to 300"),
        ("MAX_CONNECTIONS", "10", "MAX_CONNECTIONS: got '10', expected an integer from 64 to 65536"),
    ],
)
def test_bad_value_names_the_variable_the_value_and_what_is_allowed(name, value, line):
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})
    assert raised.value.problems == [line]


def test_every_problem_is_reported_at_once():
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"PORT": "x", "THREADS": "0"})
    assert len(raised.value.problems) == 2
    assert str(raised.value).startswith("invalid settings:\n  - PORT")


def test_cpu_limit_reads_the_cgroup_quota(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert cpu_limit(cpu_max) == 2
    cpu_max.write_text("max 100000\n")
    assert cpu_limit(cpu_max) >= 1
    assert cpu_limit(tmp_path / "missing") >= 1


def test_the_app_module_and_the_metrics_port():
    s = Settings.from_env({"APP_MODULE": "myapp.wsgi:app", "METRICS_PORT": "9100"})
    assert (s.module, s.metrics_port) == ("myapp.wsgi:app", 9100)
    assert Settings.from_env({}).module == "flaskapp:create_app()"


def test_a_bad_app_module_or_a_clashing_metrics_port_is_refused():
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"APP_MODULE": "myapp; rm -rf /", "PORT": "9090"})
    assert error.value.problems == [
        "APP_MODULE: got 'myapp; rm -rf /', expected module:callable, such as flaskapp:create_app()",
        "METRICS_PORT: got 9090, expected a port other than PORT's",
    ]
