"""Portfolio scans: many organisations scanned side by side before an audit round.

A group with many sites, or a certification body or consultancy with many clients, lists its
organisations in a portfolio file (:mod:`.model`); each is scanned in a process of its own with its
own index and decisions file (:mod:`.run`), and the results are set side by side in a portfolio
report (:mod:`.report`). ``qmscheck portfolio`` (:mod:`qmscheck.cli_portfolio`) runs it;
docs/portfolio.md is the user's guide.
"""
