"""A citizen's short journey through the Python client openapi-python-client generates from
openapi.yaml, against a running server. tests/api/generated_client.rs generates the client (the
package `smartcity_client`, on PYTHONPATH) and runs this:

    python3 journey.py BASE_URL PHOTO_JPEG CATEGORY LAT LON ADMIN_TOKEN

It registers and signs in, proves the number with the code registration texted (read from the
SMS outbox with ADMIN_TOKEN, an administrator's access token, as the demo does), searches
the procedures as people type, files a complaint with a photo
at a point inside a served area, reads it back as the public sees it (and the photo), and reads
the `code` of a problem+json answer. Only the generated client talks to the server; every step
checks what a user of the app would see.
"""

import re
import sys

from smartcity_client import AuthenticatedClient, Client
from smartcity_client.api.account import confirm_phone_verification
from smartcity_client.api.admin import list_sms
from smartcity_client.api.auth import login, register
from smartcity_client.api.complaints import file_complaint, get_complaint, get_photo
from smartcity_client.api.procedures import list_procedures
from smartcity_client.models import (
    Account,
    CodeConfirmation,
    ComplaintForm,
    ComplaintStatusCode,
    ErrorCode,
    GetPhotoVariant,
    ListSmsResponse200,
    LoginRequest,
    OwnComplaint,
    Problem,
    ProcedurePage,
    PublicComplaint,
    RegisterRequest,
    SmsMessagePurpose,
    TokenPair,
)
from smartcity_client.types import File

PASSWORD = "ca phe sua da luc bay gio"
NAME = "Trần Thị Bình"
DESCRIPTION = "Đèn đường trước số 12 Trần Phú không sáng ba đêm nay."


def expect(response, status, kind):
    """The answer's status and the type the generated client parsed it into."""
    assert response.status_code == status, (
        f"expected {status}, got {response.status_code}: {response.content[:500]!r}"
    )
    assert isinstance(response.parsed, kind), (
        f"expected a {kind.__name__}, got {type(response.parsed).__name__}: {response.parsed!r}"
    )
    return response.parsed


def main(base_url, photo_path, category, lat, lon, admin_token):
    public = Client(base_url=base_url, raise_on_unexpected_status=True)

    account = expect(
        register.sync_detailed(
            client=public,
            body=RegisterRequest(phone="0912 345 678", display_name=NAME, password=PASSWORD),
        ),
        201,
        Account,
    )
    assert account.phone == "+84912345678", account.phone
    assert account.display_name == NAME, account.display_name
    assert account.phone_verified is False, account.phone_verified
    print(f"registered {account.phone} as {account.display_name}")

    tokens = expect(
        login.sync_detailed(
            client=public, body=LoginRequest(phone="+84 912 345 678", password=PASSWORD)
        ),
        200,
        TokenPair,
    )
    citizen = AuthenticatedClient(
        base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True
    )
    print(f"signed in, the access token lasts {tokens.expires_in} s")

    # The code registration texted, still in the outbox (unmasked until it is sent).
    admin = AuthenticatedClient(
        base_url=base_url, token=admin_token, raise_on_unexpected_status=True
    )
    outbox = expect(
        list_sms.sync_detailed(client=admin, phone=account.phone, limit=1),
        200,
        ListSmsResponse200,
    )
    assert len(outbox.items) == 1, outbox.items
    message = outbox.items[0]
    assert message.purpose == SmsMessagePurpose.PHONE_VERIFICATION, message.purpose
    codes = re.findall(r"(?<![0-9])[0-9]{6}(?![0-9])", message.body)
    assert len(codes) == 1, message.body
    code = codes[0]
    verified = expect(
        confirm_phone_verification.sync_detailed(
            client=citizen, body=CodeConfirmation(code=code)
        ),
        200,
        Account,
    )
    assert verified.phone_verified is True, verified.phone_verified
    print(f"proved {verified.phone} with the code it was texted ({message.status.value})")

    # Typed as on a phone: without diacritics, colloquially ("bằng lái" is a driving licence).
    page = expect(
        list_procedures.sync_detailed(client=public, q="bang lai", per_page=5), 200, ProcedurePage
    )
    names = [procedure.name for procedure in page.items]
    assert page.total >= 1 and any("giấy phép lái xe" in name.lower() for name in names), names
    print(f"'bang lai' found {page.total} procedures, first: {names[0]}")

    with open(photo_path, "rb") as photo:
        form = ComplaintForm(
            category=category,
            description=DESCRIPTION,
            lat=lat,
            lon=lon,
            address="12 Trần Phú, Hải Châu",
            # Sent as Python writes it, `False`: the server reads either letter case.
            anonymous=False,
            photos=[File(payload=photo, file_name="IMG_0001.jpg", mime_type="image/jpeg")],
        )
        filed = expect(
            file_complaint.sync_detailed(client=citizen, body=form, idempotency_key="journey-1"),
            201,
            OwnComplaint,
        )
    assert filed.status.code == ComplaintStatusCode.NEW, filed.status
    print(f"filed complaint {filed.id} in area {filed.area}: {filed.status.label_en}")

    seen = expect(get_complaint.sync_detailed(str(filed.id), client=public), 200, PublicComplaint)
    assert seen.description == DESCRIPTION, seen.description
    assert seen.category == category, seen.category
    assert seen.reporter_name == NAME, seen.reporter_name
    assert (seen.lat, seen.lon) == (lat, lon), (seen.lat, seen.lon)
    assert len(seen.photos) == 1, seen.photos
    print(f"read back: {seen.category}, {seen.description!r}, by {seen.reporter_name}")

    # The display copy, by the id in its URL (/v1/photos/{id}/display).
    photo_id = seen.photos[0].display_url.rstrip("/").split("/")[-2]
    image = expect(
        get_photo.sync_detailed(photo_id, GetPhotoVariant.DISPLAY, client=public), 200, File
    )
    jpeg = image.payload.read()
    assert jpeg[:3] == b"\xff\xd8\xff", jpeg[:16]
    print(f"its photo: a JPEG of {len(jpeg)} bytes, {seen.photos[0].width}×{seen.photos[0].height}")

    # The same number again: the answer is a problem whose code the app matches on.
    problem = expect(
        register.sync_detailed(
            client=public,
            body=RegisterRequest(phone="0912.345.678", display_name="Someone Else", password=PASSWORD),
        ),
        409,
        Problem,
    )
    assert problem.code == ErrorCode.PHONE_TAKEN, problem
    assert problem.field == "phone", problem
    assert problem.status == 409, problem
    print(f"registering the number again: {problem.status} {problem.code.value} ({problem.title})")


if __name__ == "__main__":
    base_url, photo_path, category, lat, lon, admin_token = sys.argv[1:]
    main(base_url, photo_path, category, float(lat), float(lon), admin_token)
    print("journey done")
