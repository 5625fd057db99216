"""The front's config as serve.py renders it: complete, accepted by nginx, its upload cap sized to
the run directory."""

import os
import subprocess

from serve import max_uploads, nginx_string, render_nginx_conf
from server.settings import Settings


def test_the_rendered_front_config_is_complete_and_nginx_accepts_it(tmp_path):
    settings = Settings(port=9123, header_timeout_seconds=7, body_timeout_seconds=8, keepalive_seconds=400,
                        max_body_bytes=4096, max_connections=128)
    conf = render_nginx_conf(settings, tmp_path)
    assert "{{" not in conf
    for directive in ("listen 9123 ", "client_header_timeout 7s;", "client_body_timeout 8s;",
                      "keepalive_timeout 400s;", "client_max_body_size 4096;", "worker_connections 128;"):
        assert directive in conf
    (tmp_path / "nginx.conf").write_text(conf)
    check = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_large_uploads_are_admitted_as_many_as_the_run_directory_holds_twice_with_a_third_free(monkeypatch, tmp_path):
    def filesystem_of(size: int):
        monkeypatch.setattr("os.statvfs", lambda _: os.statvfs_result((4096, 4096, size // 4096, 0, 0, 0, 0, 0, 0, 255)))

    filesystem_of(64 * 2**20)  # the pod's /tmp
    assert max_uploads(tmp_path, 2**20) == 21  # 64 MiB * 2/3 / (2 * 1 MiB)
    assert max_uploads(tmp_path, 10**6) == 22
    filesystem_of(2**20)  # smaller than two bodies: one at a time still
    assert max_uploads(tmp_path, 2**20) == 1
    filesystem_of(64 * 2**20)
    conf = render_nginx_conf(Settings(max_body_bytes=2**20), tmp_path)
    assert "limit_conn uploads 21;" in conf
    assert "client_body_buffer_size 16k;" in conf
    # Never more than the connections the front holds (nginx refuses a limit of 65536 or more).
    filesystem_of(2**40)
    conf = render_nginx_conf(Settings(max_body_bytes=4096, max_connections=128), tmp_path)
    assert "limit_conn uploads 128;" in conf


def test_nginx_strings_escape_quotes_backslashes_and_variables():
    assert nginx_string(r'say "$x" \ ok') == r'"say \"\$x\" \\ ok"'
