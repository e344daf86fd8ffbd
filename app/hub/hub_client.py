"""Hugging Face, through huggingface-hub: file metadata (size, SHA-256, commit), search for GGUF
repositories, and the GGUF files of one repository. huggingface-hub does all the HTTP: endpoints
(HF_ENDPOINT), redirects, authentication and its own retries. Nothing here runs unless the person
asked for a search or a download, and nothing runs at all in offline mode."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
from huggingface_hub import HfApi, constants, get_hf_file_metadata, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from app.hub.errors import AccessDenied, HubUnreachable, NotFoundOnHub, OfflineMode

# Offline mode from the environment: the app's own switch, and huggingface-hub's (read here again
# because huggingface-hub reads its variable once, at import).
OFFLINE_VARIABLES = ("MINIGIANTS_OFFLINE", "HF_HUB_OFFLINE")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<parts>\d{5})\.gguf$")
# Quantization names as GGUF publishers put them in file names (Q4_K_M, IQ4_XS, Q8_0, F16, BF16 ...).
_QUANT = re.compile(r"(?<![A-Za-z0-9])(I?Q\d(?:_[A-Z0-9]+)*|F16|F32|BF16|TQ\d_\d)(?![A-Za-z0-9])",
                    re.IGNORECASE)


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    filename: str
    revision: str
    commit: str | None
    size: int | None
    sha256: str | None  # the LFS SHA-256 the hub publishes for the file, when it is an LFS file
    url: str  # where the bytes come from (after the hub's redirect)


@dataclass(frozen=True)
class HubRepo:
    repo: str
    downloads: int
    likes: int
    updated: str | None


@dataclass(frozen=True)
class HubModelFile:
    """One model in a repository: a GGUF file, or the parts of a split GGUF counted as one."""

    repo: str
    name: str  # the file name, or the first part's for a split model
    parts: tuple[str, ...]
    size: int | None  # all parts together, when the hub says
    quantization: str | None
    sha256: tuple[str | None, ...]  # per part


def quantization_of(filename: str) -> str | None:
    found = _QUANT.findall(filename.rsplit("/", 1)[-1])
    return found[-1].upper() if found else None


class Hub:
    """One Hugging Face endpoint (HF_ENDPOINT or the argument), with an optional access token.
    `offline` is the app's setting; MINIGIANTS_OFFLINE or HF_HUB_OFFLINE also turn it on."""

    def __init__(self, *, endpoint: str | None = None, token: str | None = None,
                 offline: bool = False) -> None:
        self.endpoint = endpoint or constants.ENDPOINT
        self.token = token
        self.offline = offline

    def _check_online(self) -> None:
        if self.offline or constants.is_offline_mode() or offline_by_environment():
            raise OfflineMode()

    @contextlib.contextmanager
    def errors(self, repo: str, filename: str | None = None) -> Iterator[None]:
        """huggingface-hub's and httpx's exceptions as errors a person can act on."""
        self._check_online()
        try:
            yield
        except GatedRepoError:
            raise AccessDenied(repo) from None
        except RepositoryNotFoundError:
            raise NotFoundOnHub(f"The repository {repo} (or it is private)") from None
        except RevisionNotFoundError:
            raise NotFoundOnHub(f"That revision of {repo}") from None
        except EntryNotFoundError:
            raise NotFoundOnHub(f"{filename} in {repo}") from None
        except OfflineModeIsEnabled:
            raise OfflineMode() from None
        except HfHubHTTPError as error:
            if error.response is not None and error.response.status_code in (401, 403):
                raise AccessDenied(repo) from None
            raise
        except (httpx2.ConnectError, httpx2.TimeoutException) as error:
            raise HubUnreachable(self.endpoint) from error

    def remote_file(self, repo: str, filename: str, revision: str = "main") -> RemoteFile:
        with self.errors(repo, filename):
            url = hf_hub_url(repo, filename, revision=revision, endpoint=self.endpoint)
            meta = get_hf_file_metadata(url, token=self.token, endpoint=self.endpoint,
                                        retry_on_errors=True)
        etag = (meta.etag or "").lower()
        return RemoteFile(repo, filename, revision, meta.commit_hash, meta.size,
                          etag if _SHA256.match(etag) else None, meta.location)

    def search(self, query: str, *, limit: int = 30) -> list[HubRepo]:
        """Repositories with GGUF files matching `query`, most downloaded first."""
        with self.errors(query):
            found = HfApi(endpoint=self.endpoint, token=self.token).list_models(
                search=query, filter="gguf", sort="downloads", limit=limit)
            return [HubRepo(m.id, m.downloads or 0, m.likes or 0,
                            m.last_modified.isoformat() if m.last_modified else None)
                    for m in found]

    def gguf_files(self, repo: str, revision: str = "main") -> list[HubModelFile]:
        """Every GGUF model in `repo` with sizes and quantization names, split files as one;
        multimodal projectors (mmproj) are left out: they are not models on their own."""
        with self.errors(repo):
            info = HfApi(endpoint=self.endpoint, token=self.token).model_info(
                repo, revision=revision, files_metadata=True)
        files = {}
        for sibling in info.siblings or []:
            name = sibling.rfilename
            if name.lower().endswith(".gguf") and "mmproj" not in name.lower():
                files[name] = (sibling.size, sibling.lfs.sha256 if sibling.lfs else None)
        return _group_split_files(repo, files)


def _group_split_files(repo: str, files: dict[str, tuple[int | None, str | None]]) -> list[HubModelFile]:
    groups: dict[str, list[str]] = {}
    for name in sorted(files):
        split = _SPLIT.match(name)
        groups.setdefault(split.group("stem") if split else name, []).append(name)
    models = []
    for parts in groups.values():
        sizes = [files[part][0] for part in parts]
        models.append(HubModelFile(
            repo, parts[0], tuple(parts),
            sum(s for s in sizes if s is not None) if all(s is not None for s in sizes) else None,
            quantization_of(parts[0]), tuple(files[part][1] for part in parts)))
    return sorted(models, key=lambda m: (m.size or 0, m.name))


def split_parts(filename: str) -> list[str]:
    """All part names of a split GGUF given any one of them (or [filename] when not split)."""
    split = _SPLIT.match(filename)
    if not split:
        return [filename]
    count = int(split.group("parts"))
    return [f"{split.group('stem')}-{n:05d}-of-{count:05d}.gguf" for n in range(1, count + 1)]


def offline_by_environment() -> bool:
    """MINIGIANTS_OFFLINE or HF_HUB_OFFLINE set: no network, whatever the app's setting says."""
    return any(_truthy(os.environ.get(name)) for name in OFFLINE_VARIABLES)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
