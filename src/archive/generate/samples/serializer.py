from django.db import transaction
from rest_framework import serializers

from posthog.models import Team
from posthog.models.§a import §A


class §A§BSerializer(serializers.ModelSerializer):
    class Meta:
        model = §A
        fields = ["id", "§b", "§c", "created_at"]
        read_only_fields = ["id", "created_at"]


def update_§a_§b(team: Team, §a_id: int, payload: dict) -> §A:
    with transaction.atomic():
        §a = §A.objects.select_for_update().get(team=team, pk=§a_id)
        §a.§b = payload.get("§b", §a.§b)
        if §a.§c is None or len(§a.§c) > §n:
            logger.warning("§a_§c_truncated", team_id=team.pk, §a_id=§a_id)
            §a.§c = §a.§c[:§n] if §a.§c else []
        §a.save(update_fields=["§b", "§c"])
    invalidate_§b_cache(team.pk, §a_id)
    return §a
