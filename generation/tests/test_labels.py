"""A generation's settings read as labelled values (generation.labels), never a dict or a stored value."""

from datetime import timedelta

from django.utils import timezone

from generation import labels
from generation.models import Job


def test_parameters_become_labelled_rows_in_a_fixed_order_without_the_empty_ones():
    rows = labels.parameter_rows(
        {
            "negative_prompt": "",
            "style": "noir",
            "aspect_ratio": "16:9",
            "quality": "hd",
            "num_outputs": 2,
            "seed": 42,
            "steps": None,
            "guidance": 3.5,
        }
    )

    assert rows == [
        ("Aspect ratio", "16:9 wide"),
        ("Quality", "HD"),
        ("Images", "2"),
        ("Seed", "42"),
        ("Guidance", "3.5"),
        ("Style", "noir"),
    ]


def test_unknown_and_nested_parameters_read_as_words_not_python():
    rows = labels.parameter_rows({"lora_scale": 0.8, "extra": {"go_fast": True}, "tags": ["a", "b"]})

    assert rows == [("Extra", "Go fast Yes"), ("Lora scale", "0.8"), ("Tags", "a, b")]
    assert not any("{" in value or "[" in value or "_" in label for label, value in rows)


def test_processing_time_reads_in_seconds_or_minutes_and_is_empty_while_running():
    start = timezone.now()
    job = Job(submitted_at=start, started_at=start + timedelta(seconds=1))

    assert labels.processing_time(job) == ""
    job.completed_at = job.started_at + timedelta(seconds=4.24)
    assert labels.processing_time(job) == "4.2 s"
    job.completed_at = job.started_at + timedelta(seconds=65)
    assert labels.processing_time(job) == "1 min 5 s"


def test_a_catalog_category_reads_as_its_name():
    assert labels.category("casual") == "Casual"
