"""Session serialisation that understands ObjectId.

Third-party code (allauth's authentication records, for one) puts model
primary keys into the session. With ObjectId keys Django's JSON serializer
would fail at login; the ids are stored as their hex strings instead, which is
what every ObjectId field accepts back.
"""

import json

from bson import ObjectId
from django.core.signing import JSONSerializer


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, ObjectId):
            return str(o)
        return super().default(o)


class ObjectIdJSONSerializer(JSONSerializer):
    def dumps(self, obj):
        return json.dumps(obj, separators=(",", ":"), cls=_Encoder).encode("latin-1")
