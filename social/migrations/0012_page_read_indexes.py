# Issue 17: an index for every read the main pages make. A unique constraint's index is
# partial ({field: {$type: ...}}), which no planner uses for an equality match, and SecantusDB
# plans an index only when it holds every filtered field: plain compound indexes for the
# viewer's likes and saves, a group by slug and my membership in it, a tag by name, the
# featured rows, and a group's and a tag's posts.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0011_email_digest"),
    ]

    operations = [
        migrations.AddIndex(model_name="tag", index=models.Index(fields=["name"], name="tag_name")),
        migrations.AddIndex(
            model_name="tag",
            index=models.Index(fields=["is_featured", "-trending_score"], name="tag_featured_trending"),
        ),
        migrations.AddIndex(
            model_name="group", index=models.Index(fields=["is_active", "slug"], name="group_active_slug")
        ),
        migrations.AddIndex(
            model_name="groupmembership",
            index=models.Index(fields=["group", "user"], name="member_group_user"),
        ),
        migrations.AddIndex(
            model_name="post", index=models.Index(fields=["group", "live", "-id"], name="post_group_live_id")
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["listed", "tags", "-id"], name="post_listed_tags_id"),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["is_featured", "listed", "-id"], name="post_featured_listed_id"),
        ),
        migrations.AddIndex(
            model_name="like",
            index=models.Index(fields=["user", "target_type", "target_id"], name="like_user_target"),
        ),
        migrations.AddIndex(
            model_name="save", index=models.Index(fields=["user", "post"], name="save_user_post")
        ),
    ]
