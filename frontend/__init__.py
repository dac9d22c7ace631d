"""The web frontend (server-rendered, htmx): what teachers, special educators and rektor use.

It holds no pupil data of its own; every page is rendered from the services' APIs, called
with the signed identity of the logged-in user.
"""
