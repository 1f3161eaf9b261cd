"""Labs 13 and 16–21: zero trust, Keycloak, OAuth and OPA, JWT claims to headers, transformation,
rate limiting and WAF, each behind its feature flag. Imports from `gateway`, `apps`, `platform`
and `core`.
"""
