"""The security settings, each with a test that fails if it is switched off.

- Content security policy on every response, and pages that need no exception from it: no
  inline script (except with the request's nonce), no inline style, no event-handler
  attributes. The pages are found by following links (crawl.py), so new pages are covered.
  The browser test (test_browser.py) checks the same in Chromium.
- The other headers: X-Frame-Options, nosniff, Referrer-Policy, Cross-Origin-Opener-Policy,
  and, with the production settings behind TLS, HSTS and the redirect to HTTPS.
- Every POST form in every template carries the CSRF token; the session form refuses a post
  without it.
- Passwords are stored with Argon2; sessions end after SESSION_COOKIE_AGE and at browser close.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import Client, override_settings

from panhuo.core.testing import PASSWORD
from panhuo.core.tests.api_support import build_api_world, client_for
from panhuo.core.tests.crawl import crawl
from panhuo.core.tests.per_caller import per_caller

ROOT = Path(settings.BASE_DIR).parent

REQUIRED_CSP = {
    "default-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


# --- Content security policy ---------------------------------------------------------------


def test_every_response_carries_the_policy(client, world):
    client.force_login(world.user("office"))
    for url in ("/login/", "/", "/api/v1/docs", "/api/v1/openapi.json", "/healthz"):
        header = client.get(url).get("Content-Security-Policy")
        assert header, url
        directives = csp_directives(header)
        for name, value in REQUIRED_CSP.items():
            assert directives.get(name) == [value], (url, name, header)
        scripts = directives.get("script-src", directives["default-src"])
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        assert "'unsafe-inline'" not in directives.get("style-src", [])


def test_script_nonce_is_fresh_for_each_response(client):
    headers = [client.get("/login/")["Content-Security-Policy"] for _ in range(2)]
    nonces = [re.search(r"'nonce-([^']+)'", h) for h in headers]
    # A page that uses no nonce sends none; one that does gets a new one each time.
    if all(nonces):
        assert nonces[0].group(1) != nonces[1].group(1)
    assert all("nonce" not in h or re.search(r"'nonce-[\w-]{16,}'", h) for h in headers)


class _InlineFinder(HTMLParser):
    """What a page would need 'unsafe-inline' (or a nonce) for."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}> inline style")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "style" and "nonce" not in a:
            self.problems.append("<style> block without the nonce")
        if tag == "script":
            data_only = a.get("type") in {"application/json", "application/ld+json"}
            if not a.get("src") and not data_only and "nonce" not in a:
                self.problems.append("inline <script> without the nonce")


def inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def test_the_inline_finder_finds_what_the_policy_blocks():
    assert inline_problems('<div style="color:red">') == ["<div style='color:red'> inline style"]
    assert len(inline_problems("<script>alert(1)</script><style>p{}</style>")) == 2
    assert len(inline_problems('<a href="javascript:x()" onclick="y()">')) == 2
    assert inline_problems('<script src="/static/a.js"></script>') == []
    assert inline_problems('<script type="application/json" id="d">{}</script>') == []
    assert inline_problems('<script nonce="abc">x()</script>') == []


@pytest.fixture
def records(world):
    return build_api_world(world)


# A run that has the browser crawl (core/tests/test_browser.py, both role groups: CI's PostgreSQL
# run) makes these checks there, on every role's pages, and leaves this test out (conftest.py).
@pytest.mark.crawled_in_browser
@per_caller(["office", "head", "finance", "auditor", "unit_officer"])
def test_pages_need_no_inline_script_or_style(records, who):
    pages = crawl(client_for(records.w, who), "/", per_route=1)
    assert len(pages) >= 5, [p.url for p in pages]
    failures = {}
    for page in pages:
        assert page.status < 500, (page.url, page.status)
        problems = inline_problems(page.html)
        if problems:
            failures[page.url] = problems
    assert failures == {}


def test_login_page_needs_no_inline_script_or_style(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert inline_problems(response.content.decode()) == []


# --- Other headers ---------------------------------------------------------------------------


def test_security_headers_on_pages_and_api(client, world):
    client.force_login(world.user("office"))
    for url in ("/", "/login/", "/api/v1/assets", "/healthz"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        # Plain HTTP (development, tests): no HSTS, which only a TLS response may carry.
        assert "Strict-Transport-Security" not in response, url


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
)
def test_hsts_behind_tls_and_redirect_without_it(client):
    over_tls = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.status_code == 200
    assert over_tls["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    plain = client.get("/healthz")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/healthz"


def _production(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter with the production settings (as CI checks them)."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("PANHUO_", "DJANGO_", "SECURE_"))
    }
    environment.update(
        PANHUO_ENV="production",
        DJANGO_SETTINGS_MODULE="panhuo.settings",
        SECRET_KEY="x" * 20 + "production-test-key-" + "y" * 30,
        ALLOWED_HOSTS="testserver,example.org",
        PANHUO_DATA_DIR=env.pop("PANHUO_DATA_DIR"),
        **env,
    )
    environment.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
c = Client()
tls = c.get("/healthz", headers={"X-Forwarded-Proto": "https"})
plain = c.get("/healthz")
print(json.dumps({
    "hsts": tls.get("Strict-Transport-Security"),
    "tls_status": tls.status_code,
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "plain_hsts": plain.get("Strict-Transport-Security"),
    "csp": tls.get("Content-Security-Policy"),
    "frame": tls.get("X-Frame-Options"),
    "proxy": settings.SECURE_PROXY_SSL_HEADER,
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "password": make_password("s3cret-pass"),
}))
"""


@pytest.mark.slow
def test_production_settings_behind_tls(tmp_path):
    result = _production(PRODUCTION_PROBE, PANHUO_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["tls_status"] == 200
    assert seen["hsts"].startswith("max-age=31536000")
    assert "includeSubDomains" in seen["hsts"]
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://testserver/healthz"
    assert seen["plain_hsts"] is None
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["frame"] == "DENY"
    assert seen["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["secure_cookies"] == [True, True]
    # Passwords: Argon2id (the test profile alone puts a fast hasher first).
    assert seen["password"].startswith("argon2$argon2id$")


def test_proxy_header_comes_from_the_environment(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from panhuo.settings import _proxy_ssl_header

    monkeypatch.delenv("SECURE_PROXY_SSL_HEADER", raising=False)
    assert _proxy_ssl_header() == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Scheme=https")
    assert _proxy_ssl_header() == ("HTTP_X_FORWARDED_SCHEME", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "none")
    assert _proxy_ssl_header() is None
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "nonsense")
    with pytest.raises(ImproperlyConfigured, match="SECURE_PROXY_SSL_HEADER"):
        _proxy_ssl_header()


@pytest.mark.slow
def test_deploy_check_is_clean_with_production_settings(tmp_path):
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _production(code, PANHUO_DATA_DIR=str(tmp_path), PANHUO_TRUSTED_PROXIES="127.0.0.1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # Without a trusted proxy the HTTPS redirect would loop behind one: the check says so.
    result = _production(code, PANHUO_DATA_DIR=str(tmp_path))
    assert result.returncode != 0 and "panhuo.W001" in result.stderr + result.stdout


def test_serve_refuses_to_start_where_the_https_redirect_would_loop(monkeypatch):
    """The deployment check gates ``panhuo serve``: nothing is served (waitress never starts)."""
    import waitress
    from django.core.management import CommandError, call_command
    from django.utils import translation

    monkeypatch.setattr(waitress, "serve", lambda *a, **k: pytest.fail("served"))
    nobody = {**settings.PANHUO, "TRUSTED_PROXIES": []}
    with override_settings(SECURE_SSL_REDIRECT=True, PANHUO=nobody):
        with pytest.raises(CommandError, match="PANHUO_TRUSTED_PROXIES"):
            call_command("serve")
        with translation.override("zh-hans"), pytest.raises(CommandError) as e:
            call_command("serve")
    assert "重定向" in str(e.value) and "127.0.0.1" in str(e.value)


# --- CSRF ------------------------------------------------------------------------------------

FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)


def _templates() -> list[Path]:
    found = []
    for app_dir in sorted((ROOT / "panhuo").iterdir()):
        templates = app_dir / "templates"
        if templates.is_dir():
            found.extend(sorted(templates.rglob("*.html")))
    return found


def _post_forms(text: str):
    """Each POST form's text, from its opening tag to its closing tag."""
    for match in FORM_TAG.finditer(text):
        if POST.search(match.group(0)):
            end = text.find("</form>", match.end())
            yield text[match.start() : end if end != -1 else len(text)]


def test_every_post_form_in_every_template_carries_the_csrf_token():
    templates = _templates()
    assert len(templates) > 30
    checked, missing = 0, []
    for path in templates:
        for form in _post_forms(path.read_text()):
            checked += 1
            if "{% csrf_token %}" not in form:
                missing.append(f"{path.relative_to(ROOT)}: {form[:80]!r}")
    assert checked >= 10
    assert missing == []


def test_the_form_finder_sees_a_form_without_the_token():
    forms = list(_post_forms('<form method="post" action="/x">{{ form }}</form><form>'))
    assert len(forms) == 1 and "{% csrf_token %}" not in forms[0]


@pytest.mark.django_db
def test_a_page_form_posted_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    client.force_login(world.user("office"))
    response = client.post("/logout/")
    assert response.status_code == 403
    assert client.session.get("_auth_user_id") == str(world.user("office").pk)


def test_rendered_post_forms_carry_the_token(records):
    """The rendered pages too: every POST form a signed-in user is shown has the hidden field."""
    pages = crawl(client_for(records.w, "office"), "/", per_route=1)
    forms = 0
    for page in pages:
        for form in _post_forms(page.html):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in form, (page.url, form[:120])
    assert forms >= 5


# --- Passwords and sessions ------------------------------------------------------------------


@override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:])
def test_settings_hash_with_argon2_outside_tests():
    # The test profile puts a fast hasher first; the rest of the list is the real one.
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    encoded = make_password("s3cret-pass")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert check_password("s3cret-pass", encoded)
    assert not check_password("wrong", encoded)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=settings.PASSWORD_HASHERS[1:])
def test_an_older_hash_is_upgraded_to_argon2_at_sign_in(world):
    user = world.user("office")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    client = Client()
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_sessions_expire(client, world):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # A browser-session cookie: no Max-Age or Expires, so closing the browser ends it.
    assert not cookie["max-age"] and not cookie["expires"]
    assert cookie["httponly"]
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_an_expired_session_is_signed_out(world):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    assert client.post("/login/", {"username": "office", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- Uploads ---------------------------------------------------------------------------------

UPLOAD = b"unit,code,name,kind,book_value,status\nU1,R-1,Old school,building,1000000,idle\n"


@pytest.fixture
def uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def _files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _upload(client, name: str, data: bytes, **form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/assets/import/",
        {"file": SimpleUploadedFile(name, data), "run": "dry_run", "mode": "all", **form},
    )


def test_an_upload_over_the_size_limit_is_refused_on_the_page(world, uploads, settings):
    from panhuo.register.models import ImportRun

    settings.PANHUO = {**settings.PANHUO, "IMPORT_MAX_BYTES": 40}
    client = client_for(world, "office")
    response = _upload(client, "big.csv", UPLOAD)
    assert response.status_code == 200
    assert "larger than 40 bytes" in response.content.decode()
    assert not ImportRun.objects.exists()
    assert _files_under(uploads) == []  # not even the partial upload is kept


def test_an_empty_upload_is_refused(world, uploads):
    from panhuo.register.models import ImportRun

    response = _upload(client_for(world, "office"), "empty.csv", b"")
    assert response.status_code == 200
    assert not ImportRun.objects.exists()
    assert _files_under(uploads) == []


@pytest.mark.parametrize("name", ["../../evil.csv", "/etc/cron.d/evil.csv", "..\\..\\evil.csv"])
def test_an_upload_name_cannot_choose_where_the_file_goes(world, uploads, name):
    """The stored file is named by its SHA-256 inside the imports folder, whatever the
    client called it; only the base name is kept, as a label."""
    from panhuo.register.models import ImportRun

    response = _upload(client_for(world, "office"), name, UPLOAD)
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert "/" not in run.file_name and ".." not in run.file_name.replace("..\\", "")
    assert run.file_name.endswith("evil.csv")
    stored = _files_under(uploads)
    assert stored == [f"imports/{run.file_sha256}.csv"]


def test_uploads_need_the_import_right_and_the_csrf_token(world, uploads):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from panhuo.register.models import ImportRun

    for who in ("auditor", "finance", "bidder"):
        response = _upload(client_for(world, who), "a.csv", UPLOAD)
        assert response.status_code in {403, 404}, who
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("office"))
    response = client.post(
        "/assets/import/",
        {"file": SimpleUploadedFile("a.csv", UPLOAD), "run": "dry_run", "mode": "all"},
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
    assert _files_under(uploads) == []
