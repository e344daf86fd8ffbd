"""Downloads with the real huggingface-hub client against a loopback stand-in for the hub, with
the real SmolLM2 GGUF as the payload."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.engine import Engine, LoadOptions, ModelFileInvalid
from app.hub.download import DownloadControl, Progress, download
from app.hub.errors import (
    AccessDenied,
    ChecksumMismatch,
    DownloadInProgress,
    DownloadStopped,
    InsufficientDiskSpace,
    NotFoundOnHub,
    OfflineMode,
)
from app.hub.hub_client import Hub
from app.hub.library import DOWNLOAD, Library
from app.hub.partials import KeptPartial, discard_partial, kept_partials
from tests.hub.hub_server import FILE, REPO, FakeHub


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return Library(tmp_path / "models")


def client(fake_hub: FakeHub) -> Hub:
    return Hub(endpoint=fake_hub.endpoint)


def test_a_download_is_verified_enters_the_library_and_loads(
    fake_hub: FakeHub, library: Library, starter_path: Path
) -> None:
    reports: list[Progress] = []
    model = download(client(fake_hub), library, REPO, FILE, progress=reports.append)
    hosted = fake_hub.files[(REPO, FILE)]
    assert model.source == DOWNLOAD and model.sha256 == hosted.sha256 and model.repo == REPO
    assert model.path == library.root / REPO / FILE and model.path.read_bytes() == starter_path.read_bytes()
    assert [m.id for m in library.models() if m.source == DOWNLOAD] == [model.id]
    assert not any(library.partial_dir.rglob("*.part")), "no partial file is left behind"
    assert reports[-1].done == reports[-1].total == hosted.size and reports[-1].speed > 0
    assert fake_hub.body_bytes_sent == hosted.size
    assert download(client(fake_hub), library, REPO, FILE) == model, "already there: no new download"
    with Engine.load(model.path, LoadOptions(n_ctx=256)) as engine:
        assert engine.facts.architecture == "llama"


def test_a_dropped_connection_resumes_where_it_stopped(fake_hub: FakeHub, library: Library) -> None:
    size = fake_hub.files[(REPO, FILE)].size
    fake_hub.behaviour.drop_after = size // 3
    model = download(client(fake_hub), library, REPO, FILE)
    assert library.verify(model.id).ok
    # huggingface-hub writes in 10 MiB pieces: at most the piece in flight is fetched again.
    first, resumed = fake_hub.get_starts
    assert first == 0 and size // 3 - 10 * 1024**2 <= resumed <= size // 3
    assert fake_hub.body_bytes_sent <= size + 10 * 1024**2, "the first third was not sent again"


def test_pause_keeps_the_partial_file_and_cancel_removes_it(
    fake_hub: FakeHub, library: Library
) -> None:
    size = fake_hub.files[(REPO, FILE)].size
    fake_hub.behaviour.bytes_per_second = 40 * 1024 * 1024
    control = DownloadControl()

    def pause_at_a_quarter(progress: Progress) -> None:
        if progress.done > size // 4:
            control.pause()

    with pytest.raises(DownloadStopped) as paused:
        download(client(fake_hub), library, REPO, FILE, progress=pause_at_a_quarter, control=control)
    assert paused.value.kept
    [partial] = library.partial_dir.rglob("*.part")
    kept = partial.stat().st_size
    assert size // 4 < kept < size

    fake_hub.behaviour.bytes_per_second = None
    model = download(client(fake_hub), library, REPO, FILE)
    assert library.verify(model.id).ok
    assert fake_hub.get_starts == [0, kept], "resumed from the partial file, not restarted"

    library.remove(model.id)
    control = DownloadControl()
    control.cancel()
    with pytest.raises(DownloadStopped) as cancelled:
        download(client(fake_hub), library, REPO, FILE, control=control)
    assert not cancelled.value.kept and not any(library.partial_dir.rglob("*.part"))


def pause_when(condition: Callable[[Progress], bool]
               ) -> tuple[DownloadControl, Callable[[Progress], None]]:
    """A control, and a progress callback that pauses through it once `condition` holds."""
    control = DownloadControl()

    def watch(progress: Progress) -> None:
        if condition(progress):
            control.pause()

    return control, watch


def test_kept_partials_lists_a_paused_download_as_it_was_asked(
    fake_hub: FakeHub, library: Library
) -> None:
    hosted = fake_hub.files[(REPO, FILE)]
    fake_hub.behaviour.bytes_per_second = 40 * 1024 * 1024
    control, watch = pause_when(lambda progress: progress.done > hosted.size // 4)
    with pytest.raises(DownloadStopped):
        download(client(fake_hub), library, REPO, FILE, expected_sha256=hosted.sha256,
                 progress=watch, control=control)
    [partial] = library.partial_dir.rglob("*.part")
    assert kept_partials(library) == [
        KeptPartial(REPO, FILE, "main", hosted.sha256, partial.stat().st_size, hosted.size)]

    # A sidecar from before it named the download, and one whose partial file is gone: not listed.
    old = library.partial_dir / "someone__Old-GGUF" / "old.gguf.part"
    old.parent.mkdir()
    old.write_bytes(b"x" * 10)
    old.with_name(old.name + ".json").write_text(json.dumps({"sha256": "0" * 64, "size": 99,
                                                             "commit": "abc"}))
    orphan = library.partial_dir / "someone__Gone-GGUF" / "gone.gguf.part.json"
    orphan.parent.mkdir()
    orphan.write_text(json.dumps({"sha256": "0" * 64, "size": 99, "commit": "abc",
                                  "repo": "someone/Gone-GGUF", "filename": "gone.gguf"}))
    assert [kept.repo for kept in kept_partials(library)] == [REPO]

    fake_hub.behaviour.bytes_per_second = None
    [kept] = kept_partials(library)
    model = download(client(fake_hub), library, kept.repo, kept.filename, revision=kept.revision,
                     expected_sha256=kept.expected_sha256)
    assert model.sha256 == hosted.sha256 and fake_hub.get_starts[-1] == kept.done
    assert kept_partials(library) == []


def test_kept_partials_counts_a_split_model_once(fake_hub: FakeHub, library: Library,
                                                 starter_path: Path) -> None:
    split_repo = "someone/Split-GGUF"
    names = [f"Split-Q4_0-0000{part}-of-00002.gguf" for part in (1, 2)]
    for name in names:
        fake_hub.host(split_repo, name, starter_path)
    size = starter_path.stat().st_size
    # Paused as the second part begins: the first is whole on disk, the second barely started.
    control, watch = pause_when(lambda progress: progress.filename == names[1])
    with pytest.raises(DownloadStopped):
        download(client(fake_hub), library, split_repo, names[0], progress=watch, control=control)
    [kept] = kept_partials(library)
    assert (kept.repo, kept.filename, kept.total) == (split_repo, names[0], 2 * size)
    assert size <= kept.done < 2 * size

    discard_partial(library, kept.repo, kept.filename)
    assert kept_partials(library) == [] and not any(library.partial_dir.rglob("*.part*"))


def test_a_download_survives_the_app_being_killed(
    fake_hub: FakeHub, library: Library, tmp_path: Path
) -> None:
    size = fake_hub.files[(REPO, FILE)].size
    fake_hub.behaviour.bytes_per_second = 20 * 1024 * 1024
    script = (
        "import sys\nfrom pathlib import Path\n"
        "from app.hub.download import download\nfrom app.hub.hub_client import Hub\n"
        "from app.hub.library import Library\n"
        f"download(Hub(endpoint={fake_hub.endpoint!r}), Library(Path({str(library.root)!r})), "
        f"{REPO!r}, {FILE!r})\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[2],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        parts = list(library.partial_dir.rglob("*.part"))
        if parts and parts[0].stat().st_size > size // 3:
            break
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    _, errors = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, errors.decode()
    [partial] = library.partial_dir.rglob("*.part")
    kept = partial.stat().st_size
    assert 0 < kept < size, "killed mid-download"

    fake_hub.behaviour.bytes_per_second = None
    model = download(client(fake_hub), library, REPO, FILE)
    assert library.verify(model.id).ok
    assert fake_hub.get_starts == [0, kept], "resumed after the restart from the partial file"


def test_a_corrupted_byte_is_rejected_and_nothing_enters_the_library(
    fake_hub: FakeHub, library: Library
) -> None:
    fake_hub.behaviour.corrupt_at = 5_000_000
    with pytest.raises(ChecksumMismatch) as raised:
        download(client(fake_hub), library, REPO, FILE)
    assert "deleted" in raised.value.message
    assert [m for m in library.models() if m.source == DOWNLOAD] == []
    assert not any(library.partial_dir.rglob("*.part")) and not (library.root / REPO).exists()


def test_a_pinned_catalog_hash_must_match_too(fake_hub: FakeHub, library: Library) -> None:
    with pytest.raises(ChecksumMismatch):
        download(client(fake_hub), library, REPO, FILE, expected_sha256="0" * 64)


def test_a_second_writer_of_the_same_file_is_refused(fake_hub: FakeHub, library: Library) -> None:
    fake_hub.behaviour.bytes_per_second = 4 * 1024 * 1024
    control = DownloadControl()
    first = threading.Thread(target=lambda: pytest.raises(
        DownloadStopped, download, client(fake_hub), library, REPO, FILE, control=control))
    first.start()
    deadline = time.monotonic() + 30
    while not any(library.partial_dir.rglob("*.part")):
        assert time.monotonic() < deadline, "the first download did not start"
        time.sleep(0.05)
    with pytest.raises(DownloadInProgress) as refused:
        download(client(fake_hub), library, REPO, FILE)
    assert "already being downloaded" in refused.value.message
    control.pause()
    first.join(timeout=30)
    [partial] = library.partial_dir.rglob("*.part")
    assert partial.stat().st_size > 0, "the first writer's bytes are intact"


def test_refusals_are_explained(fake_hub: FakeHub, library: Library) -> None:
    fake_hub.behaviour.status["someone/gated-model"] = (401, "GatedRepo")
    with pytest.raises(AccessDenied) as gated:
        download(client(fake_hub), library, "someone/gated-model", "model.gguf")
    assert "accept the licence" in gated.value.hint.lower()
    with pytest.raises(NotFoundOnHub):
        download(client(fake_hub), library, REPO, "no-such-file.gguf")
    fake_hub.behaviour.status["someone/missing"] = (404, "RepoNotFound")
    with pytest.raises(NotFoundOnHub) as missing:
        download(client(fake_hub), library, "someone/missing", "model.gguf")
    assert "someone/missing" in missing.value.message


def test_too_little_disk_space_is_refused_before_any_byte(
    fake_hub: FakeHub, library: Library
) -> None:
    with pytest.raises(InsufficientDiskSpace) as raised:
        download(client(fake_hub), library, REPO, FILE, free_space=lambda _path: 200 * 1024**2)
    assert raised.value.free == 200 * 1024**2 and raised.value.needed > fake_hub.files[(REPO, FILE)].size
    assert fake_hub.gets() == 0


def test_offline_mode_opens_no_socket(fake_hub: FakeHub, library: Library,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    connections: list[object] = []

    def audit(event: str, args: tuple[object, ...]) -> None:
        if event == "socket.connect" and watching:
            connections.append(args)

    watching = True
    sys.addaudithook(audit)
    try:
        with pytest.raises(OfflineMode):
            download(Hub(endpoint=fake_hub.endpoint, offline=True), library, REPO, FILE)
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        with pytest.raises(OfflineMode):
            Hub(endpoint=fake_hub.endpoint).search("smollm2")
    finally:
        watching = False
    assert connections == [] and fake_hub.requests == []


def test_search_and_the_files_of_a_repository(fake_hub: FakeHub, starter_path: Path,
                                              tmp_path: Path) -> None:
    split_repo = "someone/Big-Model-GGUF"
    for part in (1, 2):
        fake_hub.host(split_repo, f"Big-Model-Q8_0-0000{part}-of-00002.gguf", starter_path)
    fake_hub.host(split_repo, "Big-Model-IQ4_XS.gguf", starter_path)
    fake_hub.host(split_repo, "mmproj-Big-Model-f16.gguf", starter_path)
    hub = client(fake_hub)
    assert [r.repo for r in hub.search("smollm2")] == [REPO]
    files = hub.gguf_files(split_repo)
    assert [(f.name, f.quantization, len(f.parts)) for f in files] == [
        ("Big-Model-IQ4_XS.gguf", "IQ4_XS", 1),
        ("Big-Model-Q8_0-00001-of-00002.gguf", "Q8_0", 2),
    ]
    size = starter_path.stat().st_size
    assert files[1].size == 2 * size and files[1].sha256[0] == fake_hub.files[(REPO, FILE)].sha256


def test_a_split_model_downloads_every_part(fake_hub: FakeHub, library: Library,
                                            starter_path: Path) -> None:
    split_repo = "someone/Split-GGUF"
    names = [f"Split-Q4_0-0000{part}-of-00002.gguf" for part in (1, 2)]
    for name in names:
        fake_hub.host(split_repo, name, starter_path)
    model = download(client(fake_hub), library, split_repo, names[0])
    assert model.filename == names[0]
    assert sorted(p.name for p in (library.root / split_repo).iterdir()) == names


def test_a_file_that_is_not_a_model_is_refused_and_not_kept(
    fake_hub: FakeHub, library: Library, tmp_path: Path
) -> None:
    readme = tmp_path / "README.gguf"
    readme.write_bytes(b"# not a model\n" * 1000)
    fake_hub.host("someone/Odd-GGUF", "README.gguf", readme)
    with pytest.raises(ModelFileInvalid):
        download(client(fake_hub), library, "someone/Odd-GGUF", "README.gguf")
    assert not [p for p in library.partial_dir.rglob("*") if p.is_file()], "no partial file stays"
    assert [m.source for m in library.models() if m.source == DOWNLOAD] == []
