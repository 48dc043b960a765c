def test_probe(db):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    cts = set(ContentType.objects.values_list("pk", flat=True))
    perms = list(Permission.objects.values_list("content_type_id", flat=True))
    missing = [p for p in perms if p not in cts]
    print("cts", len(cts), "perms", len(perms), "missing", len(missing), missing[:3])
    print(Permission.objects.filter(content_type_id__in=missing[:3]).values_list("codename", flat=True)[:5])
