"""Compatibility path: the code lives in :mod:`porescope.track.report`."""

from porescope.track.report import (  # noqa: F401
    DISCLAIMER,
    KEEP_WITH_HEADING_LINES,
    OVERLAY_MAX_WIDTH_PX,
    REPORT_TERMS,
    Report,
    build_report,
    overlay_from_analysis,
    render_html,
    write_html,
    write_pdf,
)

__all__ = [
    "OVERLAY_MAX_WIDTH_PX", "DISCLAIMER", "Report", "overlay_from_analysis", "build_report", "render_html",
    "REPORT_TERMS", "write_html", "KEEP_WITH_HEADING_LINES", "write_pdf",
]
