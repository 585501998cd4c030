"""Assemble README.md from docs/readme-parts/ (then run `cog -r README.md`)."""

from __future__ import annotations

from pathlib import Path

ORDER = ["00-top", "10-query", "links", "import", "export", "provenance", "curation",
         "robustness", "benchmarks", "90-end", "99-reference"]

root = Path(__file__).resolve().parent.parent
parts = root / "docs" / "readme-parts"
texts = [(parts / f"{name}.md").read_text("utf-8").strip() + "\n"
         for name in ORDER if (parts / f"{name}.md").exists()]
(root / "README.md").write_text("\n".join(texts), "utf-8")
