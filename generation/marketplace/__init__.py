"""The marketplace (seed 001): businesses generate with consenting human models or AI avatars.

Modules, bottom up: ``eligibility`` (the one rule: reads only), ``consent`` (requests,
events, revocation; ends a revoked pair's jobs through ``generation.ending``),
``onboarding`` (references, release, scope, pause, leave), ``royalties`` (billing's one
call into generation), ``selectors``, ``forms``, ``views`` and ``urls``. Import the
module you need; this package re-exports nothing.
"""
