"""The disposal plan optimiser (issue 20, item 2): which packages to dispose of, by which
channel and in which quarter, so that each quarter's debt service is covered with a minimum
cash buffer at the least value lost against holding.

* ``problem``: the problem as arrays (options, periods, absorption), checked; pure.
* ``greedy``: the baseline, cheapest value lost per yuan first; pure.
* ``solve``: the mixed-integer programme with HiGHS, the gap, binding periods, shadow prices,
  and infeasible inputs explained; pure.
* ``gather``: the problem of a place read from its packages, valuations, debts and rule sets.
* ``runs``: stored runs, the background task, progress, cancel and adopt.
"""
