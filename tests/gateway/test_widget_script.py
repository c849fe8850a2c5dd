"""/widget.js: one classic script assembled from static/widget/ — every part once, in order, inside one function
(the parts' namespace stays local); it parses; the gateway serves exactly that, from memory, with an ETag."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.gateway import pages


def test_every_part_is_in_the_script_once_and_in_order() -> None:
    script = pages.widget_source()
    on_disk = sorted(path.name for path in pages.WIDGET.glob("*.js"))
    assert sorted(pages.WIDGET_PARTS) == on_disk  # a new part is listed, a listed part exists
    assert pages.WIDGET_PARTS[0] == "core.js" and pages.WIDGET_PARTS[-1] == "boot.js"
    at = 0
    for name in pages.WIDGET_PARTS:
        text = (pages.WIDGET / name).read_text(encoding="utf-8")
        marked = pages.widget_part_marker(name) + text
        assert script.count(marked) == 1, name
        found = script.index(marked)
        assert found >= at, f"{name} out of order"
        at = found + len(marked)
        assert text.startswith("/*") and "(function (IPR) {" in text and text.rstrip().endswith("})(IPR);"), name
    assert script.startswith(pages.WIDGET_OPEN) and script.endswith(pages.WIDGET_CLOSE)


def test_the_script_leaks_nothing_new_to_the_host_page() -> None:
    script = pages.widget_source()
    assert "window.__ipr" not in script and "window.IPR" not in script
    assert script.count("var IPR =") == 1  # the outer function's local, not a global


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_parses_the_assembled_script(tmp_path: Path) -> None:
    path = tmp_path / "widget.js"
    path.write_text(pages.widget_source(), encoding="utf-8")
    checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr


async def test_the_gateway_serves_the_assembly(client: TestClient) -> None:
    response = await client.get("/widget.js")
    assert response.status == 200 and response.content_type == "application/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert await response.text() == pages.widget_source()
    etag = response.headers["ETag"]
    again = await client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag and not await again.read()
    assert (await client.get("/static/widget.js")).status == 404  # the parts are not served one by one
    assert (await client.get("/static/widget/core.js")).status == 404
