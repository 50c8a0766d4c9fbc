"""A minimal site around django-comments-xtd: the peer that bench/thread.py measures.

It runs only inside bench/.xtd-env (created by bench/thread.py); nothing here is imported
by socialpoll.
"""
