"""A URL resolver that remembers where each path it resolved leads.

Django resolves a request's path by trying the URL patterns in order, every request: the JSON
API has about 250, and a bid (``lots/<id>/bids``) was matched after trying about 190 of them —
a seventh of a bid request's CPU in the server (docs/benchmarks.md, issue 16). The patterns do
not change while the process runs, so where a path leads is the same every time: this resolver
keeps the match of each path it has resolved (up to ``SIZE`` paths, then starts afresh) and
answers it again. Paths that match nothing are not kept (each 404 is resolved again). The match
kept is not changed by those who use it: the resolver above builds its own from it.
"""

from __future__ import annotations

from django.urls import URLResolver
from django.urls.resolvers import ResolverMatch

#: The paths kept before the memo starts afresh (a hot path is resolved again at most once then).
SIZE = 4096


class MemoResolver(URLResolver):
    """``URLResolver`` with each resolved path's match kept (for the process's life)."""

    def resolve(self, path) -> ResolverMatch:
        path = str(path)
        memo: dict[str, ResolverMatch] = self.__dict__.setdefault("_panhuo_memo", {})
        found = memo.get(path)
        if found is None:
            found = super().resolve(path)  # Resolver404 when nothing matches: not kept
            # The patterns tried before it (~190 for a bid), which the resolver above copies
            # into its own match on every request: only the one that matched is kept.
            found.tried = found.tried[-1:]
            if len(memo) >= SIZE:
                memo.clear()
            memo[path] = found
        return found


def remembering(resolver: URLResolver) -> MemoResolver:
    """``resolver`` (as ``path(prefix, include(...))`` makes it) as a ``MemoResolver``."""
    return MemoResolver(
        resolver.pattern, resolver.urlconf_name, resolver.default_kwargs,
        resolver.app_name, resolver.namespace,
    )  # fmt: skip
