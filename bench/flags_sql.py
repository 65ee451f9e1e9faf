"""Hand-written SQL for the three costliest red flags of bench/flags.py (value-destroying sale,
income-producing asset sold while idle ones wait, packages split under a threshold), with the
rules' default thresholds, and the extra rows the flags need on the province database.

The value-destroying sale's SQL is the rule's yield test; the rule then drops the sales that
decision support values (Decimal NPVs over a horizon, ``decisions.selectors``) as worth more
sold than kept: bench/flags.py takes those out of the SQL's cases before comparing."""

from __future__ import annotations

SELLING = "('auction', 'exchange', 'negotiated', 'soe_transfer', 'debt_swap')"
DEALT = "('concluded', 'paid', 'published', 'in_force', 'in_arrears', 'ended', 'closed')"

DESTROYING = f"""
WITH inc AS (
  SELECT p.id, p.deal_price, sum(a.annual_income) - sum(a.annual_holding_cost) AS net
  FROM disposal_disposalproject p
  JOIN disposal_package pk ON pk.id = p.package_id
  JOIN organisation_jurisdiction j ON j.id = pk.jurisdiction_id
  JOIN disposal_packageitem i ON i.package_id = pk.id
  JOIN register_asset a ON a.id = i.asset_id
  WHERE p.status IN {DEALT} AND p.channel IN {SELLING} AND p.deal_price > 0
    AND j.path LIKE %(path)s
  GROUP BY p.id, p.deal_price
  HAVING sum(a.annual_income) > sum(a.annual_holding_cost)
), rep AS (
  SELECT r.project_id, al.debt_id, d.rate,
         sum(CASE WHEN al.reverses_id IS NULL THEN al.amount ELSE -al.amount END) AS repaid
  FROM finance_allocation al
  JOIN finance_receipt r ON r.id = al.receipt_id
  JOIN finance_debt d ON d.id = al.debt_id
  WHERE r.project_id IN (SELECT id FROM inc) AND d.voided_at IS NULL
  GROUP BY r.project_id, al.debt_id, d.rate
  HAVING sum(CASE WHEN al.reverses_id IS NULL THEN al.amount ELSE -al.amount END) > 0
)
SELECT inc.id, rep.debt_id FROM inc JOIN rep ON rep.project_id = inc.id
WHERE round(inc.net * 100 / inc.deal_price, 2) > rep.rate
"""

SOLD_WHILE_IDLE = f"""
WITH sell AS (
  SELECT DISTINCT p.id AS project_id, a.unit_id
  FROM disposal_packageitem i
  JOIN register_asset a ON a.id = i.asset_id
  JOIN disposal_disposalproject p ON p.package_id = i.package_id
  JOIN disposal_package pk ON pk.id = i.package_id
  JOIN organisation_jurisdiction j ON j.id = pk.jurisdiction_id
  WHERE p.channel IN {SELLING} AND p.status <> 'withdrawn' AND j.path LIKE %(path)s
    AND (a.criticality = 'essential' OR a.annual_income > a.annual_holding_cost)
), idle AS (
  SELECT a.unit_id, count(*) AS n FROM register_asset a
  WHERE a.status IN ('idle', 'under_used') AND a.idle_since <= %(since)s
    AND a.unit_id IN (SELECT unit_id FROM sell)
    AND NOT EXISTS (SELECT 1 FROM disposal_packageitem i WHERE i.asset_id = a.id AND i.live)
  GROUP BY a.unit_id
)
SELECT DISTINCT sell.project_id FROM sell JOIN idle ON idle.unit_id = sell.unit_id
WHERE idle.n >= 1
"""

SPLIT = f"""
WITH items AS (
  SELECT DISTINCT i.package_id,
         a.unit_id || ':' || lower(regexp_replace(a.address, '\\s', '', 'g')) AS site
  FROM disposal_packageitem i
  JOIN register_asset a ON a.id = i.asset_id
  JOIN disposal_package pk ON pk.id = i.package_id
  JOIN organisation_jurisdiction j ON j.id = pk.jurisdiction_id
  WHERE pk.channel IN {SELLING} AND pk.status IN ('open', 'disposed')
    AND btrim(a.address) <> '' AND j.path LIKE %(path)s
), appraised AS (
  SELECT i.package_id, sum(coalesce(a.appraised_value, a.book_value)) AS v
  FROM disposal_packageitem i JOIN register_asset a ON a.id = i.asset_id
  WHERE i.package_id IN (SELECT package_id FROM items) GROUP BY i.package_id
), val AS (
  SELECT ap.package_id, coalesce(p.deal_price, p.reserve_price, ap.v) AS v
  FROM appraised ap LEFT JOIN disposal_disposalproject p
    ON p.package_id = ap.package_id AND p.status <> 'withdrawn'
), th(name, amount) AS (
  VALUES ('finance_approval_above', 1000000.00), ('physical_mid_to', 10000000.00)
)
SELECT items.site, th.name FROM items JOIN val USING (package_id) CROSS JOIN th
WHERE val.v >= th.amount * 0.9 AND val.v < th.amount
GROUP BY items.site, th.name, th.amount
HAVING count(*) >= 2 AND sum(val.v) >= th.amount
"""

#: The rows the flags read that the province database does not have: each package holds up to
#: four assets (no essential one: the database keeps those out of packages), live while the
#: package is open, held by units of the package's place; the assets of a unit stand at 25
#: addresses (sites); one asset in eight earns more than it costs to hold (rent of 6 % of its
#: book value a year).
EXTRA = [
    """INSERT INTO disposal_packageitem (package_id, asset_id, live)
       SELECT pk.id, a.id, pk.status = 'open'
       FROM register_asset a JOIN disposal_package pk ON pk.id = (a.id - 1) / 4 + 1
       WHERE a.criticality <> 'essential'
       ON CONFLICT DO NOTHING""",
    """UPDATE register_asset a SET unit_id = (pk.jurisdiction_id - 1) * 20 + 1 + a.id % 20
       FROM disposal_packageitem i JOIN disposal_package pk ON pk.id = i.package_id
       WHERE i.asset_id = a.id""",
    "UPDATE register_asset SET address = 'Site ' || (id % 25) || ' Renmin Road'",
    """UPDATE register_asset SET annual_income = round(book_value * 0.06, 2)
       WHERE id % 8 = 0""",
    "CREATE TABLE IF NOT EXISTS bench_flags_done (at timestamptz)",
    "INSERT INTO bench_flags_done VALUES (now())",
]
