"""Content Credentials (C2PA): every image ModelSnapper makes carries signed provenance.

- :mod:`keys` finds the signing certificate chain and key (production settings, or a
  development CA made once under the data directory);
- :mod:`signing` builds the manifest of a job's output and signs the bytes;
- :mod:`reading` reads and validates the credentials of any file (the /verify/ page,
  the credentials summary of a stored image).
"""
