"""Reference endpoints for bench/signin_burst.py (mounted only with YANXIU_BENCH_ENDPOINTS=1).

``insert_one`` is the baseline: one INSERT per request through the same
server, middleware and database as the sign-in, so the benchmark can state
the sign-in's cost as a ratio.

``signin_floor`` is the least a sign-in can cost with the same login and
audit guarantees: Django's session login, one hand-written SELECT (session
window, enrolment, shared device), then the attendance row and its audit row
in one transaction. It checks and renders nothing else, so it is not a
sign-in: it shows how much of the gap to the baseline is the work itself.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yanxiu.core.models import AuditEvent

from .views import DEVICE_COOKIE, client_ip


@csrf_exempt
@require_POST
def insert_one(request):
    AuditEvent.objects.create(action="bench.insert", target_type="bench", target_id="0")
    return HttpResponse("ok", content_type="text/plain")


FLOOR_READ = """
SELECT s.starts_at, s.ends_at, e.person_id,
       EXISTS (SELECT 1 FROM attendance_attendance a WHERE a.session_id = s.id AND a.signin_device = %s)
FROM training_session s
JOIN training_enrollment e ON e.session_id = s.id AND e.status = 'enrolled'
 AND e.person_id = (SELECT p.id FROM org_person p WHERE p.user_id = %s)
WHERE s.id = %s AND s.status = 'published'
"""
FLOOR_ATTENDANCE = """
INSERT INTO attendance_attendance (session_id, person_id, status, signed_in_at, is_late, left_early, signin_method,
  signin_device, signin_ip, signout_method, signout_device, device_flagged, signin_agent, address_flagged, manual_reason,
  created_at, updated_at)
VALUES (%s, %s, 'present', %s, %s, false, 'qr', %s, %s, '', '', %s, '', false, '', %s, %s) RETURNING id
"""
FLOOR_AUDIT = """
INSERT INTO core_auditevent (actor_id, action, target_type, target_id, detail, created_at)
VALUES (%s, 'attendance.sign_in', 'attendance.attendance', %s, '{}', %s)
"""


@login_required
@require_POST
def signin_floor(request, session_id: int):
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_READ, [device, request.user.pk, session_id])
        row = cursor.fetchone()
        if row is None or not row[0] <= now <= row[1]:
            return HttpResponseBadRequest("refused")
        cursor.execute(FLOOR_ATTENDANCE, [session_id, row[2], now, False, device, client_ip(request), row[3], now, now])
        cursor.execute(FLOOR_AUDIT, [request.user.pk, str(cursor.fetchone()[0]), now])
    return HttpResponse("签到成功", content_type="text/plain; charset=utf-8")
