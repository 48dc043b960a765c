"""Generation figures for /metrics, read at scrape time."""

from __future__ import annotations

import logging
from datetime import timedelta

from bson import ObjectId
from django.db import connections
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from generation.models import Job

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)


class JobOutcomes:
    """Jobs submitted in the last hour by provider and status: one aggregation on the _id index."""

    def collect(self):
        jobs = GaugeMetricFamily(
            "modelsnapper_generation_jobs_last_hour",
            "Generation jobs submitted in the last hour, by provider and current status.",
            labels=["provider", "status"],
        )
        since = ObjectId.from_datetime(timezone.now() - WINDOW)
        pipeline = [
            {"$match": {"_id": {"$gte": since}}},
            {"$group": {"_id": {"provider": "$provider", "status": "$status"}, "n": {"$sum": 1}}},
        ]
        try:
            for row in connections["default"].database[Job._meta.db_table].aggregate(pipeline):
                jobs.add_metric([row["_id"].get("provider") or "none", row["_id"]["status"]], row["n"])
        except Exception as exc:  # a scrape reports what it can
            logger.warning("metrics: job outcomes unavailable (%s)", exc)
        yield jobs
