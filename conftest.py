"""Shared fixtures: a small jurisdiction tree with one user per role, and factories."""

from __future__ import annotations

import gc

import pytest

from panhuo.core.testing import World
from panhuo.core.tests.demo_snapshot import seed_small_demo
from panhuo.core.tests.examples import scale_given_tests
from panhuo.core.tests.world_snapshot import world_for_test

# Rows that data migrations write survive the tests that flush the database.
pytest_plugins = [
    "panhuo.core.tests.seeded",
    # Test databases copied from one migrated database (cached), not migrated per worker.
    "panhuo.core.tests.migrated",
    # PostgreSQL's flush after a transactional test deletes rows instead of truncating tables.
    "panhuo.core.tests.fast_flush",
    # The test client signs in without saving an empty session first.
    "panhuo.core.tests.fast_login",
]


@pytest.fixture
def world(db) -> World:
    """The shared test world (see ``build_world``), built once per worker process and laid
    down again for each test by bulk inserts (panhuo/core/tests/world_snapshot.py)."""
    return world_for_test()


@pytest.fixture
def small_demo(db):
    """The small demo as ``seed_demo(size=SMALL)`` leaves an empty database, and that seed's
    result: seeded once per worker, laid down again for each test (core/tests/demo_snapshot.py)."""
    return seed_small_demo()


@pytest.fixture(scope="session")
def _checkpoint_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(request, _checkpoint_dir, monkeypatch):
    """Each test has its own (absent) audit checkpoint file: checkpoints describe one database,
    and the tests' databases come and go (integrity/checkpoints.py)."""
    from django.conf import settings

    name = f"{abs(hash(request.node.nodeid)):x}.jsonl"
    monkeypatch.setitem(settings.PANHUO, "AUDIT_CHECKPOINT_FILE", str(_checkpoint_dir / name))


@pytest.fixture(autouse=True)
def _reset_language():
    """A test that switches the language (a Chinese user's request) must not leave it on for
    the next test: translations are per thread, and tests share the thread."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _nominal_appraisals_take_any_price(request, monkeypatch):
    """The factories give every asset a nominal appraisal of 1.00 yuan (so that the price rules
    let any test price list and conclude); against it every price would be "implausible" and
    held by the amount check (``disposal.amounts``, gate ``amount_implausible``). Tests not
    about amounts therefore run without that check; tests marked ``amount_check`` (its own
    tests, the demo's) run with it, against real appraisals."""
    if request.node.get_closest_marker("amount_check") is None:
        from panhuo.disposal import amounts

        monkeypatch.setattr(amounts, "check", lambda *args, **kwargs: [])


def pytest_collection_finish(session):
    """Everything collection made (Django, the apps, every test module and item, the OpenAPI
    schemas, hypothesis's strategies: about 150,000 tracked objects) lives until the process
    ends, so it goes into the garbage collector's permanent generation (``gc.freeze``) instead
    of being traversed again by every full collection during the tests; objects the tests make
    are collected as before. Measured at 7d4250f, same results: ``finance/tests/test_api.py``
    and ``approvals/tests/test_engine.py`` on SQLite in one process, 11.8 -> 10.0 CPU seconds;
    145 items on PostgreSQL with two workers, 114.8 -> 106.6 CPU seconds of pytest's
    processes."""
    gc.collect()
    gc.freeze()


#: The tiers whose items take longest, started first: under xdist the short tests then fill the
#: workers' last minutes, instead of one long item (a browser walk, a matrix group, a demo
#: seed) running alone at the end while the other core waits.
LONG_FIRST = ("browser", "matrix", "slow", "fuzz")


#: The fixtures through which a test reaches the test database.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def uses_no_database(item) -> bool:
    """A test that asks for no database (pytest-django refuses it any query) and starts no
    process or server of its own (those are all marked ``slow``, and may reach the database
    through ``DATABASE_URL``) gives the same result on SQLite and on PostgreSQL; and so does a
    test marked ``own_database``, whose processes use a database of their own whatever
    ``DATABASE_URL`` says."""
    if item.get_closest_marker("own_database") is not None:
        return True
    return (
        item.get_closest_marker("django_db") is None
        and item.get_closest_marker("slow") is None
        and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests that use no database ``nodb`` (before ``-m`` selects: CI runs them once,
    on PostgreSQL, not again on SQLite); then long tiers first, in collection order otherwise
    (a stable sort)."""
    for item in items:
        if uses_no_database(item):
            item.add_marker(pytest.mark.nodb)
    # PANHUO_EXAMPLES_SHARE (CI's SQLite run): fewer examples per property (core/tests/examples.py).
    scale_given_tests(items)

    items.sort(key=weight)


def weight(item) -> int:
    """The rank of ``item``'s long tier in ``LONG_FIRST``; ``len(LONG_FIRST)`` for any other."""
    for rank, name in enumerate(LONG_FIRST):
        if item.get_closest_marker(name) is not None:
            return rank
    return len(LONG_FIRST)


def worksteal_shares(count: int, workers: int) -> list[int]:
    """How many of ``count`` items each worker is first sent under ``--dist worksteal``: xdist
    gives each idle worker in turn ``len(pending) // workers_remaining`` items from the front
    of the list (``WorkStealingScheduling.check_schedule``), and later moves items only by
    stealing from the tail of a worker's queue."""
    sizes = []
    for remaining in range(workers, 0, -1):
        sizes.append(count // remaining)
        count -= sizes[-1]
    return sizes


def dealt_long_first(items: list, workers: int) -> list:
    """``items`` reordered so that each worker's first share under ``--dist worksteal`` starts
    with its part of the long tiers, dealt in turn from the longest tier down, followed by the
    other items in their order. Sorted long-first only, the whole long block fell in the first
    worker's share while the second ran short tests; the second then stole long items from the
    end of that block, so one could start near the end of the run while the other core idled.
    Now both begin with long items and what is stolen at the end is short (CI time, issue 11).
    """
    long_items = [item for item in items if weight(item) < len(LONG_FIRST)]
    sizes = worksteal_shares(len(items), workers)
    if workers < 2 or not long_items or len(long_items) > sizes[-1]:
        return items
    long_ids = {id(item) for item in long_items}
    others = iter(item for item in items if id(item) not in long_ids)
    ordered = []
    for worker, size in enumerate(sizes):
        mine = long_items[worker::workers]
        ordered += mine + [next(others) for _ in range(size - len(mine))]
    return ordered


#: The browser test whose crawl (every role, both groups) also makes the checks of the tests
#: marked ``crawled_in_browser``.
BROWSER_CRAWL = "test_every_page_renders_without_a_csp_violation"


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_after_selection(config, items):
    """After ``-m`` and ``-k`` chose (trylast; a second implementation of the hook, hence
    ``specname``: pytest reads only functions named ``pytest_...``): when the browser crawl
    runs for both role groups in this session, the tests marked ``crawled_in_browser`` are left
    out, as deselected: the crawl asks the same of every page of every role (CI's PostgreSQL
    run: a second crawl of the same pages, issue 11). Any other selection (SQLite, ``./dev
    fast``, a single module) keeps them."""
    groups = {
        item.callspec.id
        for item in items
        if getattr(item, "originalname", None) == BROWSER_CRAWL and hasattr(item, "callspec")
    }
    if groups >= {"staff", "others"}:
        left_out = [item for item in items if item.get_closest_marker("crawled_in_browser")]
        if left_out:
            items[:] = [item for item in items if item not in left_out]
            config.hook.pytest_deselected(items=left_out)
    # Last, on the final selection: under --dist worksteal each worker starts with its part of
    # the long tiers. The workers order their collections alike (xdist checks it).
    workerinput = getattr(config, "workerinput", {})
    if workerinput.get(DIST_KEY) == "worksteal":
        items[:] = dealt_long_first(items, int(workerinput["workercount"]))


#: What the controller tells each xdist worker of its scheduling (a worker's own ``--dist``
#: option is always "no").
DIST_KEY = "panhuo_dist"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """(xdist's controller) Each worker learns the ``--dist`` mode, so that under worksteal it
    deals the long tiers over the workers' first shares (``dealt_long_first``)."""
    node.workerinput[DIST_KEY] = node.config.getoption("dist")
