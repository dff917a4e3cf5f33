"""Sessions that end and a second factor, through the portal's pages (Flask's test client).

Each test performs an attack the portal once let through: a session cookie replayed after sign-out,
a password change or a disabled account; a session kept alive forever; an Academy account opened by a
password alone; a TOTP code used twice; a first password never changed; a reset link used twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from services.portal import accounts
from services.portal.bootstrap import bootstrap, migrate
from services.portal.first_account import EMAIL, ensure_first_account
from services.portal.tables import accounts as accounts_table
from services.portal.tables import journal
from services.portal.views import sessions
from services.portal.wsgi import create_app
from tests.notifications.conftest import Mailbox
from tests.portal.conftest import portal_settings
from tests.portal.test_accounts import NOW, PASSWORD, with_password
from tests.ports import quiet_port

OFFICER = "thidua@yenbai.invalid"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), quiet_port()  # aiosmtpd binds it itself
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def portal(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator:  # type: ignore[type-arg]
    settings = portal_settings(tmp_path, SMTP_PORT=str(mailbox[1]), PORTAL_SESSION_IDLE_MINUTES="30")
    migrate(settings)
    service = bootstrap(settings)
    yield service
    service.close()


@pytest.fixture
def app(portal):  # type: ignore[no-untyped-def]
    app = create_app(portal)
    app.config.update(WTF_CSRF_ENABLED=False, TESTING=True)
    return app


def signed_in(app, email=OFFICER, password=PASSWORD):  # type: ignore[no-untyped-def]
    client = app.test_client()
    answer = client.post("/dang-nhap", data={"email": email, "password": password})
    assert answer.status_code == 302, answer.text
    return client, answer.headers["Location"]


def next_code(secret: str) -> str:
    """Return the authenticator's code of the next step (the enrolment spent this step's code)."""
    return pyotp.TOTP(secret).at((int(time.time()) // 30 + 1) * 30)


def session_cookie(client) -> str:  # type: ignore[no-untyped-def]
    return str(client.get_cookie("session").value)


def replay(app, cookie: str):  # type: ignore[no-untyped-def]
    """Return a new browser that holds only a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def opens(client) -> bool:  # type: ignore[no-untyped-def]
    return bool(client.get("/bao-mat/").status_code == 200)


def enrolled_academy(app, portal) -> tuple:  # type: ignore[type-arg]
    """Sign the first Academy account in: password, enrolment of the second factor, new password."""
    ensure_first_account(portal)
    first = (portal.config.data_dir / "portal-admin.txt").read_text().strip()
    client, where = signed_in(app, EMAIL, first)
    assert where.endswith("/dang-nhap/dang-ky-xac-thuc")  # no way in without a second factor
    page = client.get(where).text
    secret = re.search(r'id="khoa-bi-mat">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    done = client.post("/dang-nhap/dang-ky-xac-thuc?giu=1", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Mã dự phòng" in done.text
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.text)
    assert len(codes) == 10
    return client, secret, codes, first


def test_a_cookie_replayed_after_sign_out_opens_nothing(app, portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    client, _ = signed_in(app)
    stolen = session_cookie(client)
    assert opens(replay(app, stolen))
    client.post("/dang-xuat")
    assert not opens(replay(app, stolen))
    assert replay(app, stolen).get("/bao-mat/").headers["Location"].startswith("/dang-nhap")


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    laptop, _ = signed_in(app)
    phone, _ = signed_in(app)
    changed = laptop.post(
        "/bao-mat/doi-mat-khau",
        data={"current": PASSWORD, "password": "mat-khau-moi-hon", "confirmation": "mat-khau-moi-hon"},
    )
    assert changed.status_code == 302
    assert opens(laptop) and not opens(phone)
    assert signed_in(app, password="mat-khau-moi-hon")


def test_a_wrong_current_password_changes_nothing(app, portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    client, _ = signed_in(app)
    refused = client.post(
        "/bao-mat/doi-mat-khau",
        data={"current": "khong-phai", "password": "x" * 12, "confirmation": "x" * 12},
    )
    assert refused.status_code == 422 and "Mật khẩu hiện tại không đúng" in refused.text
    assert opens(client) and signed_in(app)


def test_disabling_or_changing_the_role_of_an_account_ends_its_sessions_at_once(app, portal) -> None:  # type: ignore[no-untyped-def]
    officer = with_password(portal)
    client, _ = signed_in(app)
    with portal.engine.begin() as conn:
        accounts.change_role(conn, officer.account_id, "provincial_viewer", "YENBAI", "academy_admin:an", NOW)
    assert not opens(client)
    client, _ = signed_in(app)
    with portal.engine.begin() as conn:
        accounts.set_active(conn, officer.account_id, False, "academy_admin:an", NOW)
    assert not opens(client)
    assert (
        app.test_client().post("/dang-nhap", data={"email": OFFICER, "password": PASSWORD}).status_code == 401
    )
    with portal.engine.connect() as conn:
        actions = list(
            conn.execute(sa.select(journal.c.action).where(journal.c.account_id == officer.account_id))
        )
    assert [a for (a,) in actions][-2:] == ["role:provincial_viewer", "disabled"]


def test_an_idle_session_and_one_past_its_lifetime_end(app, portal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    client, _ = signed_in(app)
    start = time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: start + 29 * 60)
    assert opens(client)  # 29 minutes idle: still open, and now seen again
    monkeypatch.setattr(sessions.time, "time", lambda: start + 29 * 60 + 31 * 60)
    assert not opens(client)  # 31 minutes idle
    client, _ = signed_in(app)
    begun = time.time()
    for hour in range(1, 12):
        monkeypatch.setattr(sessions.time, "time", lambda h=hour: begun + h * 3600 - 60)
        for minute in range(0, 60, 20):
            monkeypatch.setattr(
                sessions.time, "time", lambda h=hour, m=minute: begun + (h - 1) * 3600 + m * 60
            )
            assert opens(client)
    monkeypatch.setattr(sessions.time, "time", lambda: begun + 12 * 3600 + 60)
    assert not opens(client)  # used all along, but 12 hours old


def test_the_academy_needs_a_second_factor_and_must_change_the_first_password(app, portal) -> None:  # type: ignore[no-untyped-def]
    client, secret, _codes, first = enrolled_academy(app, portal)
    assert client.get("/hoc-vien/").headers["Location"].endswith("/bao-mat/doi-mat-khau")  # forced
    assert client.get("/bao-mat/").headers["Location"].endswith("/bao-mat/doi-mat-khau")
    changed = client.post(
        "/bao-mat/doi-mat-khau",
        data={"current": first, "password": "mat-khau-hoc-vien", "confirmation": "mat-khau-hoc-vien"},
    )
    assert changed.status_code == 302 and opens(client)
    assert not (portal.config.data_dir / "portal-admin.txt").exists()  # the generated one is gone
    with portal.engine.connect() as conn:
        stored = conn.execute(sa.select(accounts_table.c.totp_secret)).scalar()
    assert stored.startswith("fernet:") and secret not in stored  # sealed at rest
    again, where = signed_in(app, EMAIL, "mat-khau-hoc-vien")
    assert where.endswith("/dang-nhap/xac-thuc")
    assert (
        again.get("/hoc-vien/").headers["Location"].startswith("/dang-nhap")
    )  # a password alone opens nothing


def test_a_totp_code_works_once_and_a_recovery_code_once(app, portal) -> None:  # type: ignore[no-untyped-def]
    _client, secret, codes, first = enrolled_academy(app, portal)
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // 30
    fresh = totp.at((step + 1) * 30)  # the enrolment spent this step's code; the next one is accepted
    browser, _ = signed_in(app, EMAIL, first)
    assert browser.post("/dang-nhap/xac-thuc", data={"code": fresh}).status_code == 302
    replayed, _ = signed_in(app, EMAIL, first)
    refused = replayed.post("/dang-nhap/xac-thuc", data={"code": fresh})
    assert refused.status_code == 401 and "Mã xác thực không đúng" in refused.text
    assert replayed.post("/dang-nhap/xac-thuc", data={"code": codes[0]}).status_code == 302
    spent, _ = signed_in(app, EMAIL, first)
    assert spent.post("/dang-nhap/xac-thuc", data={"code": codes[0]}).status_code == 401
    with portal.engine.connect() as conn:
        hashes = " ".join(r[0] for r in conn.execute(sa.text("SELECT code_hash FROM recovery_codes")))
    assert all(code not in hashes for code in codes)  # kept as hashes only


def test_guessing_second_factor_codes_is_throttled(app, portal) -> None:  # type: ignore[no-untyped-def]
    _client, secret, _codes, first = enrolled_academy(app, portal)
    browser, _ = signed_in(app, EMAIL, first)
    for guess in ("000000", "111111", "222222", "333333"):
        assert browser.post("/dang-nhap/xac-thuc", data={"code": guess}).status_code == 401
    right = pyotp.TOTP(secret).at((int(time.time()) // 30 + 1) * 30)
    assert browser.post("/dang-nhap/xac-thuc", data={"code": right}).status_code == 401  # waits now


def test_a_password_reset_link_works_once_and_the_answer_never_tells_who_has_an_account(
    app, portal, mailbox
) -> None:  # type: ignore[no-untyped-def]
    box, _port = mailbox
    with_password(portal)
    old_session, _ = signed_in(app)
    anonymous = app.test_client()
    known = anonymous.post("/quen-mat-khau", data={"email": "THIDUA@yenbai.invalid"})
    unknown = anonymous.post("/quen-mat-khau", data={"email": "khong-co@yenbai.invalid"})
    assert known.status_code == unknown.status_code == 200 and known.text == unknown.text
    deadline = time.monotonic() + 10
    while not box.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [(recipient, body)] = [(m["To"], m.get_content()) for m in box.messages]
    assert recipient == OFFICER
    path = re.search(r"https?://[^/\s]+(/dat-lai-mat-khau/\S+)", body).group(1)  # type: ignore[union-attr]
    form = {"password": "mat-khau-dat-lai", "confirmation": "mat-khau-dat-lai"}
    assert anonymous.post(path, data=form).status_code == 200
    assert anonymous.post(path, data=form).status_code == 410  # spent
    assert not opens(old_session)  # a reset ends the sessions opened with the old password
    assert signed_in(app, password="mat-khau-dat-lai")
    assert app.test_client().get(path.replace("dat-lai-mat-khau", "loi-moi")).status_code == 410


def test_a_reset_link_expires(app, portal) -> None:  # type: ignore[no-untyped-def]
    officer = with_password(portal)
    with portal.engine.begin() as conn:
        token = accounts.invite(
            conn, officer.account_id, timedelta(minutes=60), officer.subject, NOW, accounts.RESET
        )
    portal.clock = lambda: NOW + timedelta(minutes=61)
    assert app.test_client().get(f"/dat-lai-mat-khau/{token}").status_code == 410


def test_an_officer_may_turn_the_second_factor_on_and_off(app, portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    client, _ = signed_in(app)
    page = client.get("/dang-nhap/dang-ky-xac-thuc").text
    secret = re.search(r'id="khoa-bi-mat">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    wrong = client.post("/dang-nhap/dang-ky-xac-thuc?giu=1", data={"code": "000000"})
    assert wrong.status_code == 422  # a wrong code turns nothing on
    done = client.post("/dang-nhap/dang-ky-xac-thuc?giu=1", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and opens(client)
    assert signed_in(app)[1].endswith("/dang-nhap/xac-thuc")  # from now on it asks for a code
    assert client.post("/bao-mat/tat-xac-thuc").status_code == 403  # a live session alone is not enough
    confirm = {"password": PASSWORD, "code": next_code(secret)}
    assert client.post("/bao-mat/xac-nhan", data=confirm).status_code == 302
    assert client.post("/bao-mat/tat-xac-thuc").status_code == 302
    assert not signed_in(app)[1].endswith("/dang-nhap/xac-thuc")


def test_the_academy_cannot_turn_its_second_factor_off(app, portal) -> None:  # type: ignore[no-untyped-def]
    client, _secret, _codes, first = enrolled_academy(app, portal)
    client.post(
        "/bao-mat/doi-mat-khau",
        data={"current": first, "password": "mat-khau-hoc-vien", "confirmation": "mat-khau-hoc-vien"},
    )
    client.post("/bao-mat/tat-xac-thuc")
    with portal.engine.connect() as conn:
        assert conn.execute(sa.select(accounts_table.c.totp_secret)).scalar()


def test_behind_the_gateway_throttling_sees_each_persons_own_address(tmp_path: Path) -> None:
    settings = portal_settings(tmp_path, PORTAL_PROXIES="1")
    migrate(settings)
    service = bootstrap(settings)
    try:
        with_password(service)
        app = create_app(service)
        app.config.update(WTF_CSRF_ENABLED=False)
        attacker = {"X-Forwarded-For": "198.51.100.66"}
        client = app.test_client()
        for attempt in range(5):
            client.post("/dang-nhap", data={"email": OFFICER, "password": f"sai-{attempt}"}, headers=attacker)
        blocked = client.post("/dang-nhap", data={"email": OFFICER, "password": PASSWORD}, headers=attacker)
        assert blocked.status_code == 401
        officer = {"X-Forwarded-For": "203.0.113.7"}
        answer = app.test_client().post(
            "/dang-nhap", data={"email": OFFICER, "password": PASSWORD}, headers=officer
        )
        assert answer.status_code == 302  # the same gateway, another person: not slowed down
    finally:
        service.close()


def test_a_password_alone_cannot_enrol_a_new_second_factor_over_the_old_one(app, portal) -> None:  # type: ignore[no-untyped-def]
    _client, secret, _codes, first = enrolled_academy(app, portal)
    attacker, where = signed_in(app, EMAIL, first)  # knows the password, not the code
    assert where.endswith("/dang-nhap/xac-thuc")
    detour = attacker.get("/dang-nhap/dang-ky-xac-thuc")
    assert detour.status_code == 302 and detour.headers["Location"].endswith("/dang-nhap/xac-thuc")
    assert attacker.post("/dang-nhap/dang-ky-xac-thuc?giu=1", data={"code": "123456"}).status_code == 302
    assert attacker.get("/hoc-vien/").headers["Location"].startswith("/dang-nhap")  # still not in
    with portal.engine.connect() as conn:
        kept = conn.execute(sa.select(accounts_table.c.totp_secret)).scalar()
    assert portal.secrets.open(kept) == secret  # the owner's factor is untouched


def test_code_guesses_from_many_addresses_add_up_for_the_account(tmp_path: Path) -> None:
    settings = portal_settings(tmp_path, PORTAL_PROXIES="1")
    migrate(settings)
    service = bootstrap(settings)
    try:
        app = create_app(service)
        app.config.update(WTF_CSRF_ENABLED=False)
        _client, secret, _codes, first = enrolled_academy(app, service)
        for n in range(11):  # one guess from each of eleven addresses: none is slowed down alone
            browser = app.test_client()
            address = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            browser.post("/dang-nhap", data={"email": EMAIL, "password": first}, headers=address)
            assert (
                browser.post("/dang-nhap/xac-thuc", data={"code": "000000"}, headers=address).status_code
                == 401
            )
        again = app.test_client()  # an address that failed is held back by the account's ceiling
        address = {"X-Forwarded-For": "198.51.100.1"}
        again.post("/dang-nhap", data={"email": EMAIL, "password": first}, headers=address)
        right = next_code(secret)
        assert again.post("/dang-nhap/xac-thuc", data={"code": right}, headers=address).status_code == 401
        fresh = app.test_client()  # a new address's wrong guess counts, and that address then waits
        address = {"X-Forwarded-For": "198.51.100.99"}
        fresh.post("/dang-nhap", data={"email": EMAIL, "password": first}, headers=address)
        assert fresh.post("/dang-nhap/xac-thuc", data={"code": "000000"}, headers=address).status_code == 401
        assert fresh.post("/dang-nhap/xac-thuc", data={"code": right}, headers=address).status_code == 401
        owner = app.test_client()  # the owner, from an address without failures, gets in at once
        address = {"X-Forwarded-For": "203.0.113.7"}
        owner.post("/dang-nhap", data={"email": EMAIL, "password": first}, headers=address)
        assert owner.post("/dang-nhap/xac-thuc", data={"code": right}, headers=address).status_code == 302
    finally:
        service.close()


def test_a_live_session_alone_cannot_replace_the_factor_or_renew_the_recovery_codes(app, portal) -> None:  # type: ignore[no-untyped-def]
    client, secret, codes, first = enrolled_academy(app, portal)  # a session left open, say
    password = "mat-khau-hoc-vien"
    client.post(
        "/bao-mat/doi-mat-khau", data={"current": first, "password": password, "confirmation": password}
    )
    with portal.engine.connect() as conn:
        before = conn.execute(sa.text("SELECT code_hash FROM recovery_codes ORDER BY code_hash")).all()
    assert client.post("/bao-mat/ma-du-phong").status_code == 403
    assert client.get("/dang-nhap/dang-ky-xac-thuc").headers["Location"].endswith("/bao-mat/")
    wrong = client.post("/bao-mat/xac-nhan", data={"password": "doan-mat-khau", "code": next_code(secret)})
    assert wrong.status_code == 401
    assert client.post("/bao-mat/ma-du-phong").status_code == 403
    with portal.engine.connect() as conn:
        after = conn.execute(sa.text("SELECT code_hash FROM recovery_codes ORDER BY code_hash")).all()
        kept = conn.execute(sa.select(accounts_table.c.totp_secret)).scalar()
    assert after == before and portal.secrets.open(kept) == secret
    confirmed = client.post("/bao-mat/xac-nhan", data={"password": password, "code": codes[0]})
    assert confirmed.status_code == 302  # a recovery code stands for the authenticator's
    renewed = client.post("/bao-mat/ma-du-phong")
    assert renewed.status_code == 200 and "Mã dự phòng" in renewed.text
    shown = client.get("/dang-nhap/dang-ky-xac-thuc")
    assert shown.status_code == 200
    again = client.get("/dang-nhap/dang-ky-xac-thuc")  # a reload keeps the secret just scanned
    assert _shown_secret(again.text) == _shown_secret(shown.text)
    assert _shown_secret(client.get("/dang-nhap/dang-ky-xac-thuc?moi=1").text) != _shown_secret(shown.text)


def _shown_secret(html: str) -> str:
    return html.split('id="khoa-bi-mat">', 1)[1].split("<", 1)[0]


def test_reset_requests_are_throttled_per_address_with_the_same_answer(app, portal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from services.portal.views import auth

    made = []
    monkeypatch.setattr(auth, "apart", lambda work, service, email, base: made.append(email))
    with_password(portal)
    prober = app.test_client()
    answers = set()
    for n in range(7):  # six addresses probed from one address, then the officer's own
        email = OFFICER if n == 6 else f"ai-{n}@yenbai.invalid"
        answer = prober.post(
            "/quen-mat-khau", data={"email": email}, environ_base={"REMOTE_ADDR": "198.51.100.7"}
        )
        answers.add((answer.status_code, answer.text))
    assert len(answers) == 1  # the same answer, throttled or not
    assert made == [f"ai-{n}@yenbai.invalid" for n in range(6)]  # then nothing is looked up
    officer = app.test_client()
    officer.post("/quen-mat-khau", data={"email": OFFICER}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert made[-1] == OFFICER  # another address is not slowed down


def test_guessing_the_password_to_confirm_an_identity_is_throttled(app, portal) -> None:  # type: ignore[no-untyped-def]
    client, secret, _codes, first = enrolled_academy(app, portal)
    password = "mat-khau-hoc-vien"
    client.post(
        "/bao-mat/doi-mat-khau", data={"current": first, "password": password, "confirmation": password}
    )
    for guess in ("doan-1", "doan-2", "doan-3", "doan-4"):
        assert client.post("/bao-mat/xac-nhan", data={"password": guess, "code": "000000"}).status_code == 401
    right = client.post("/bao-mat/xac-nhan", data={"password": password, "code": next_code(secret)})
    assert right.status_code == 401  # this address waits now, like a sign-in
    assert client.post("/bao-mat/ma-du-phong").status_code == 403
