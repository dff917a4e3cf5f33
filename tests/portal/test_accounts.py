"""The account rules: roles and tenants, passwords, invitations that work once, throttled sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.portal import accounts
from services.portal.accounts import AccountError
from services.portal.first_account import EMAIL, ensure_first_account
from services.portal.tables import accounts as accounts_table
from services.portal.tables import journal, throttle
from services.portal.throttle import ThrottlePolicy

NOW = datetime(2023, 3, 1, 3, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()
PASSWORD = "mot-mat-khau-dai"


def invited(portal, email="thidua@yenbai.invalid", role="school_officer", tenant="sch_yenbai"):  # type: ignore[no-untyped-def]
    with portal.engine.begin() as conn:
        account = accounts.create_account(conn, email, "Nguyễn Văn An", role, tenant, "academy_admin:an", NOW)
        token = accounts.invite(conn, account.account_id, timedelta(hours=72), "academy_admin:an", NOW)
    return account, token


def with_password(portal, password=PASSWORD, **kwargs):  # type: ignore[no-untyped-def]
    account, token = invited(portal, **kwargs)
    with portal.engine.begin() as conn:
        accounts.accept_invitation(conn, token, password, password, NOW)
    return account


def sign_in(portal, email="thidua@yenbai.invalid", password=PASSWORD, now=NOW, client="203.0.113.7"):  # type: ignore[no-untyped-def]
    return accounts.sign_in(portal.engine, email, password, client, now, POLICY)


@pytest.mark.parametrize(
    ("role", "tenant", "refused"),
    [
        ("school_officer", "sch_yenbai", False),
        ("cluster_head", "cl_2023_trung_du_bac", False),
        ("provincial_viewer", "YENBAI", False),
        ("academy_admin", None, False),
        ("school_officer", None, True),  # a tenant role needs its tenant
        ("academy_admin", "sch_yenbai", True),  # the Academy acts for no tenant
        ("operator", None, True),  # operators use the console, not the portal
        ("integration", "YENBAI", True),  # systems use the API with keys
        ("nobody", None, True),
    ],
)
def test_an_account_has_exactly_one_role_with_the_tenant_it_needs(role, tenant, refused) -> None:  # type: ignore[no-untyped-def]
    if refused:
        with pytest.raises(AccountError):
            accounts.check_role(role, tenant)
    else:
        accounts.check_role(role, tenant)


@pytest.mark.parametrize(
    ("password", "confirmation", "field"),
    [
        ("ngan", "ngan", "password"),  # shorter than 10
        ("thidua@yenbai.invalid", "thidua@yenbai.invalid", "password"),  # the e-mail itself
        ("THIDUA@yenbai", "THIDUA@yenbai", "password"),  # part of the e-mail
        ("mot-mat-khau-dai", "mot-mat-khau-khac", "confirmation"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_with_the_field_it_concerns(
    password, confirmation, field
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AccountError) as refused:
        accounts.check_password(password, confirmation, "thidua@yenbai.invalid")
    assert refused.value.field == field


def test_an_invitation_sets_the_password_once_and_keeps_only_argon2(portal) -> None:  # type: ignore[no-untyped-def]
    account, token = invited(portal)
    with portal.engine.connect() as conn:
        assert conn.execute(sa.select(accounts_table.c.password_hash)).scalar() is None
        assert token not in str(conn.execute(sa.text("select * from invitations")).all())  # only its hash
    with portal.engine.begin() as conn:
        accounts.accept_invitation(conn, token, PASSWORD, PASSWORD, NOW)
    with portal.engine.connect() as conn:
        stored = conn.execute(sa.select(accounts_table.c.password_hash)).scalar()
        actions = list(conn.execute(sa.select(journal.c.action).order_by(journal.c.seq)).scalars())
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert actions == ["created", "invited", "password_set"]
    assert sign_in(portal).account_id == account.account_id
    with portal.engine.begin() as conn, pytest.raises(AccountError, match="đã được dùng"):
        accounts.accept_invitation(conn, token, "mat-khau-khac-nua", "mat-khau-khac-nua", NOW)
    assert sign_in(portal).account_id == account.account_id  # the second use changed nothing


def test_an_expired_or_unknown_link_is_refused_and_changes_nothing(portal) -> None:  # type: ignore[no-untyped-def]
    _account, token = invited(portal)
    later = NOW + timedelta(hours=73)
    with portal.engine.begin() as conn, pytest.raises(AccountError, match="hết hạn"):
        accounts.accept_invitation(conn, token, PASSWORD, PASSWORD, later)
    with portal.engine.begin() as conn, pytest.raises(AccountError, match="không hợp lệ"):
        accounts.accept_invitation(conn, "not-a-token", PASSWORD, PASSWORD, NOW)
    with portal.engine.connect() as conn:
        assert conn.execute(sa.select(accounts_table.c.password_hash)).scalar() is None


def test_a_new_invitation_spends_the_older_links_once_a_password_is_set(portal) -> None:  # type: ignore[no-untyped-def]
    account, first = invited(portal)
    with portal.engine.begin() as conn:
        second = accounts.invite(conn, account.account_id, timedelta(hours=72), "academy_admin:an", NOW)
        accounts.accept_invitation(conn, second, PASSWORD, PASSWORD, NOW)
    with portal.engine.begin() as conn, pytest.raises(AccountError):
        accounts.accept_invitation(conn, first, "mat-khau-khac-nua", "mat-khau-khac-nua", NOW)


def test_one_email_one_account_whatever_its_case(portal) -> None:  # type: ignore[no-untyped-def]
    invited(portal)
    with portal.engine.begin() as conn, pytest.raises(AccountError, match="Đã có tài khoản"):
        accounts.create_account(
            conn, " ThiDua@YenBai.invalid ", "Khác", "school_officer", "sch_yenbai", "a", NOW
        )


def test_every_refusal_gets_the_same_message_and_the_same_work_and_logs_its_reason(
    portal, monkeypatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    invited(portal, email="chua-dat@yenbai.invalid")
    disabled = with_password(portal, email="nghi@yenbai.invalid")
    with portal.engine.begin() as conn:
        accounts.set_active(conn, disabled.account_id, False, "academy_admin:an", NOW)
    verifications = []
    real_verify = accounts._verifies
    monkeypatch.setattr(accounts, "_verifies", lambda h, p: verifications.append(h) or real_verify(h, p))
    messages, reasons = set(), []
    for email, password, client in (
        ("thidua@yenbai.invalid", "sai-mat-khau-roi", "a"),
        ("khong-co@yenbai.invalid", PASSWORD, "a"),
        ("chua-dat@yenbai.invalid", PASSWORD, "a"),
        ("nghi@yenbai.invalid", PASSWORD, "a"),
    ):
        caplog.clear()
        with pytest.raises(AccountError) as refused:
            sign_in(portal, email, password, client=client)
        messages.add(refused.value.message)
        reasons += [r.reason for r in caplog.records if r.getMessage() == "sign-in refused"]  # type: ignore[attr-defined]
    assert messages == {accounts.REFUSED}
    assert len(verifications) == 4  # one Argon2 verification each, known address or not
    assert reasons == ["wrong_password", "unknown_email", "no_password", "disabled"]
    assert all(PASSWORD not in r.getMessage() for r in caplog.records)


def test_failures_slow_down_one_address_and_never_keep_the_officer_out_elsewhere(portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    for attempt in range(POLICY.free + 1):
        with pytest.raises(AccountError) as refused:
            sign_in(portal, password=f"sai-lan-thu-{attempt}", client="198.51.100.66")
    assert refused.value.message == accounts.REFUSED  # no word of a lock
    with pytest.raises(AccountError):  # the attacker's address waits, even with the right password
        sign_in(portal, client="198.51.100.66")
    assert sign_in(portal, client="203.0.113.7").email == "thidua@yenbai.invalid"  # the officer gets in
    later = NOW + POLICY.delay(POLICY.free + 1) + timedelta(seconds=1)
    assert sign_in(portal, now=later, client="198.51.100.66").email == "thidua@yenbai.invalid"


def test_the_delay_grows_with_each_failure_up_to_the_longest(portal) -> None:  # type: ignore[no-untyped-def]
    delays = [POLICY.delay(n).total_seconds() for n in range(1, 16)]
    assert delays[: POLICY.free] == [0] * POLICY.free
    assert delays[POLICY.free : POLICY.free + 4] == [2, 4, 8, 16]
    assert delays[-1] == POLICY.longest.total_seconds()


def test_differently_cased_addresses_are_one_account_and_share_its_throttle(portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    for attempt, email in enumerate(
        ("THIDUA@yenbai.invalid", "ThiDua@YenBai.invalid", " thidua@yenbai.invalid ")
    ):
        with pytest.raises(AccountError):
            sign_in(portal, email, f"sai-{attempt}")
    with pytest.raises(AccountError):
        sign_in(portal, "thidua@YENBAI.invalid", "sai-lan-nua")
    with pytest.raises(AccountError):  # blocked now: every spelling counted towards one pair
        sign_in(portal, "Thidua@yenbai.invalid")
    assert sign_in(portal, "THIDUA@YENBAI.INVALID", now=NOW + timedelta(minutes=1)).account_id > 0


def test_a_success_forgets_the_failures(portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal)
    for _round in range(3):
        for attempt in range(POLICY.free):
            with pytest.raises(AccountError):
                sign_in(portal, password=f"sai-{attempt}-lan-nua")
        sign_in(portal)  # the free failures then a success, three times: never delayed
    with portal.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(throttle)).scalar() == 0


def test_the_first_academy_account_has_a_kept_password_on_the_embedded_default(portal) -> None:  # type: ignore[no-untyped-def]
    said = ensure_first_account(portal)
    password = (portal.config.data_dir / "portal-admin.txt").read_text().strip()
    assert EMAIL in said and password in said
    assert (portal.config.data_dir / "portal-admin.txt").stat().st_mode & 0o077 == 0
    first = sign_in(portal, EMAIL, password)
    assert first.role == "academy_admin" and first.must_change_password and first.second_factor_required
    assert ensure_first_account(portal) == said  # idempotent: no second account, same credentials
    with portal.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(accounts_table)).scalar() == 1


def test_the_throttle_is_read_from_the_environment(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.portal.conftest import portal_settings

    policy = portal_settings(
        tmp_path,
        PORTAL_THROTTLE_FREE="2",
        PORTAL_THROTTLE_FIRST_SECONDS="120",
        PORTAL_THROTTLE_LONGEST_MINUTES="30",
    ).throttle
    assert (policy.free, policy.first, policy.longest) == (2, timedelta(seconds=120), timedelta(minutes=30))
    assert policy.delay(3) == timedelta(seconds=120) and policy.delay(20) == timedelta(minutes=30)


def test_an_erasure_reaches_only_the_account_picked_and_only_if_it_has_the_persons_address(portal) -> None:  # type: ignore[no-untyped-def]
    viewer = with_password(portal, email="xem@yenbai.invalid", role="provincial_viewer", tenant="YENBAI")
    officer = with_password(portal, email="an@hoabinh.invalid", tenant="sch_hoabinh")
    with portal.engine.begin() as conn, pytest.raises(AccountError):
        # a Form 03 listed an "officer" under the viewer's address; the Academy picked another account
        accounts.erase_account(conn, officer.account_id, "xem@yenbai.invalid", "academy_admin:an", NOW)
    assert sign_in(portal, email="xem@yenbai.invalid").account_id == viewer.account_id
    with portal.engine.begin() as conn:
        accounts.erase_account(conn, viewer.account_id, "XEM@yenbai.invalid", "academy_admin:an", NOW)
        erased = conn.execute(
            sa.select(accounts_table.c.full_name, accounts_table.c.email, accounts_table.c.active).where(
                accounts_table.c.account_id == viewer.account_id
            )
        ).one()
    assert erased.full_name == "[đã xóa]" and erased.email != "xem@yenbai.invalid" and not erased.active
    assert sign_in(portal, email="an@hoabinh.invalid").account_id == officer.account_id


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("An@TruongChinhTri.VN", "an@truongchinhtri.vn"),
        ("  an@truong.vn ", "an@truong.vn"),
        ("nguyễn@truong.vn", "nguyễn@truong.vn"),  # NFC whatever the keyboard sent
        ("nguye\u0302\u0303n@truong.vn", "nguyễn@truong.vn"),
        ("an@trường.vn", "an@xn--trng-rib8295b.vn"),  # the domain in its IDNA form
        ("a@truong.vn, attacker@evil.example", None),
        ("a@truong.vn\r\nBcc: attacker@evil.example", None),
        ("a@truong.vn;b@truong.vn", None),
        ("\u0430n@truong.vn", None),  # a Cyrillic a (U+0430) for the Latin one
        ("an@truong", None),
        ("", None),
    ],
)
def test_an_account_address_is_one_parsed_normalised_latin_address(given: str, stored: str | None) -> None:
    if stored is None:
        with pytest.raises(AccountError):
            accounts.checked_email(given)
    else:
        assert accounts.checked_email(given) == stored


def test_a_form_03_cannot_list_an_officer_under_another_units_account(portal) -> None:  # type: ignore[no-untyped-def]
    with_password(portal, email="xem@yenbai.invalid", role="provincial_viewer", tenant="YENBAI")
    with_password(portal, email="an@hoabinh.invalid", tenant="sch_hoabinh")
    officers = [
        {"school_id": "sch_phutho", "email": "XEM@yenbai.invalid"},  # a viewer's account: refused
        {"school_id": "sch_phutho", "email": "an@hoabinh.invalid"},  # another school's officer: refused
        {"school_id": "sch_hoabinh", "email": "an@hoabinh.invalid"},  # that school's own officer
        {"school_id": "sch_yenbai", "email": "moi@yenbai.invalid"},  # no account yet
    ]
    with portal.engine.connect() as conn:
        assert accounts.foreign_addresses(conn, officers[:1]) == {
            "sch_phutho.email": "Địa chỉ này thuộc tài khoản của một đơn vị khác."
        }
        assert list(accounts.foreign_addresses(conn, officers[1:2])) == ["sch_phutho.email"]
        assert accounts.foreign_addresses(conn, officers[2:]) == {}
