"""The web view's side in the core: the ``/web`` command (a Mini App button and a
one-time sign-in link) and the pages and actions the web adapter shows and posts."""
