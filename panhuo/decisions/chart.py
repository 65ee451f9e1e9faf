"""The scenarios' fan chart as SVG coordinates (drawn by the template; nothing fetched): the
band from P5 to P95 of each quarter's proceeds, the median, the plan and the debt service."""

from __future__ import annotations

W, H, PAD = 640, 240, 40


def fan_chart(periods: list[dict]) -> dict:
    """Points for the band (polygon), the median, the plan and the service (polylines), and
    the quarters' x positions with their labels."""
    n = len(periods)
    top = max(max(float(p[k]) for k in ("p95", "plan", "service")) for p in periods) or 1.0

    def x(i: int) -> float:
        return round(PAD + (W - 2 * PAD) * (i / max(n - 1, 1)), 1)

    def y(v) -> float:
        return round(H - PAD - (H - 2 * PAD) * float(v) / top, 1)

    def line(key: str) -> str:
        return " ".join(f"{x(i)},{y(p[key])}" for i, p in enumerate(periods))

    upper = [f"{x(i)},{y(p['p95'])}" for i, p in enumerate(periods)]
    lower = [f"{x(i)},{y(p['p5'])}" for i, p in reversed(list(enumerate(periods)))]
    return {
        "width": W, "height": H, "base": H - PAD, "left": PAD, "right": W - PAD,
        "band": " ".join(upper + lower), "median": line("p50"), "plan": line("plan"),
        "service": line("service"),
        "ticks": [{"x": x(i), "label": p["period"]} for i, p in enumerate(periods)],
        "top": f"{top:,.0f}",
    }  # fmt: skip
