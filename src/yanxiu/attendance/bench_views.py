"""Baseline endpoint for bench/signin_burst.py (mounted only with YANXIU_BENCH_ENDPOINTS=1).

One INSERT per request through the same server, middleware and database as
the sign-in, so the benchmark can state the sign-in's cost as a ratio.
"""

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yanxiu.core.models import AuditEvent


@csrf_exempt
@require_POST
def insert_one(request):
    AuditEvent.objects.create(action="bench.insert", target_type="bench", target_id="0")
    return HttpResponse("ok", content_type="text/plain")
