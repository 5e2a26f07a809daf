"""Static checks of the container image recipe and the deployment manifests.

No Docker engine or Kubernetes cluster is needed: the Dockerfile, .dockerignore,
deploy/compose.yaml and deploy/kubernetes/*.yaml are parsed and checked for the
properties docs/DEPLOYMENT.md promises. The shared-library test reads the
NEEDED entries of the release binary (`readelf -d`), maps each to its Debian
package on this machine (`dpkg -S`; the image is Debian bookworm too) and checks
that the runtime stage installs it. It skips only when the release binary has
not been built (`make test` builds it first).
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "kubernetes"
COMPOSE = DEPLOY / "compose.yaml"
DEPLOYMENT_DOC = ROOT / "docs" / "DEPLOYMENT.md"
BINARY_NAME = "activation-service"
CONTAINER_PORT = 8080

# Every setting the server reads from the environment, with its default: the README's
# configuration table, which a Swift test keeps equal to the service's declarations.
def _known_settings() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("<!-- settings-table:begin -->", 1)[1].split("<!-- settings-table:end -->", 1)[0]
    settings = {}
    for row in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        settings[cells[1].strip("`")] = cells[2]
    return settings


KNOWN_SETTINGS = _known_settings()

# Packages every debian:bookworm-slim image already holds (minbase variant:
# the C library is needed by everything in it).
BASE_IMAGE_PACKAGES = {"libc6"}

# soname -> Debian bookworm package, used only where dpkg cannot tell.
FALLBACK_SONAME_PACKAGES = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
    "librt.so.1": "libc6",
    "libutil.so.1": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libmicrohttpd.so.12": "libmicrohttpd12",
    "libz.so.1": "zlib1g",
    "libcurl.so.4": "libcurl4",
    "libxml2.so.2": "libxml2",
}


# --------------------------------------------------------------------------
# Dockerfile parsing


@dataclass
class Instruction:
    keyword: str
    args: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse_dockerfile(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the stages of a Dockerfile (continuations joined,
    comment lines dropped, as Docker does)."""
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and buffer):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        if buffer.strip():
            logical.append((start, buffer.strip()))
        buffer = ""
    assert not buffer, "Dockerfile ends inside a line continuation"

    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for number, line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        args = args.strip()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--platform")]
            image = expand(words[0], global_args)
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=image, name=name))
        elif not stages:
            assert keyword == "ARG", f"line {number}: only ARG may precede FROM, got {keyword}"
            key, _, default = args.partition("=")
            global_args[key.strip()] = default.strip().strip('"')
        else:
            stages[-1].instructions.append(Instruction(keyword, args, number))
    return global_args, stages


def expand(value: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", substitute, value)


def shell_commands(run_args: str) -> list[list[str]]:
    """Simple commands of a RUN line, split on &&, ||, ; and |."""
    commands: list[list[str]] = []
    current: list[str] = []
    lexer = shlex.shlex(run_args, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    for token in lexer:
        if token in {"&&", "||", ";", "|", "&"}:
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return commands


def apt_installed(stage: Stage) -> set[str]:
    packages: set[str] = set()
    for run in stage.all("RUN"):
        for command in shell_commands(run.args):
            if "apt-get" in command and "install" in command:
                after = command[command.index("install") + 1 :]
                packages.update(word for word in after if not word.startswith("-"))
    return packages


def copy_parts(instruction: Instruction) -> tuple[dict[str, str], list[str], str]:
    """Flags, sources and destination of a COPY instruction (shell or JSON form)."""
    rest = instruction.args
    flags: dict[str, str] = {}
    while match := re.match(r"--([\w-]+)(?:=(\S*))?\s+", rest):
        flags[match.group(1)] = match.group(2) or ""
        rest = rest[match.end() :]
    words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    assert len(words) >= 2, f"line {instruction.line}: COPY needs a source and a destination"
    return flags, words[:-1], words[-1]


@pytest.fixture(scope="module")
def dockerfile() -> tuple[dict[str, str], list[Stage]]:
    assert DOCKERFILE.is_file(), "Dockerfile missing at the repository root"
    return parse_dockerfile(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def build_stage(dockerfile) -> Stage:
    return dockerfile[1][0]


@pytest.fixture(scope="module")
def runtime_stage(dockerfile) -> Stage:
    return dockerfile[1][-1]


def swift_toolchain_usr() -> Path | None:
    swift = shutil.which("swift")
    return Path(swift).resolve().parents[1] if swift else None


def local_swift_version() -> tuple[int, int] | None:
    if not shutil.which("swift"):
        return None
    out = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout
    match = re.search(r"Swift version (\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


# --------------------------------------------------------------------------
# Dockerfile tests


def test_dockerfile_has_a_swift_bookworm_build_stage_and_a_slim_runtime_stage(dockerfile):
    _, stages = dockerfile
    assert len(stages) == 2, [s.image for s in stages]
    build, runtime = stages
    assert build.name == "build"
    match = re.fullmatch(r"swift:(\d+)\.(\d+)(?:\.\d+)?-bookworm", build.image)
    assert match, f"build stage must use the official swift:<version>-bookworm image, got {build.image}"
    local = local_swift_version()
    if local is not None:
        assert (int(match.group(1)), int(match.group(2))) == local, (
            f"build image {build.image} does not match the local toolchain {local}"
        )
    assert runtime.image == "debian:bookworm-slim"


def test_build_stage_builds_the_release_product_with_static_swift_stdlib(build_stage):
    commands = [c for run in build_stage.all("RUN") for c in shell_commands(run.args)]
    builds = [c for c in commands if c[:2] == ["swift", "build"] and "--show-bin-path" not in c]
    assert len(builds) == 1, builds
    build = builds[0]
    assert "--static-swift-stdlib" in build
    assert build[build.index("-c") + 1] == "release"
    assert build[build.index("--product") + 1] == BINARY_NAME
    package = (ROOT / "Package.swift").read_text()
    assert f'.executable(name: "{BINARY_NAME}"' in package, "Package.swift has no such product"


def test_build_stage_installs_the_system_library_providers_of_package_swift(build_stage):
    package = (ROOT / "Package.swift").read_text()
    providers = {
        name
        for group in re.findall(r"\.apt\(\[([^\]]*)\]\)", package)
        for name in re.findall(r'"([^"]+)"', group)
    }
    assert {"libmicrohttpd-dev", "zlib1g-dev"} <= providers
    installed = apt_installed(build_stage)
    missing = (providers | {"pkg-config"}) - installed
    assert not missing, f"build stage does not install {sorted(missing)}"


def test_runtime_stage_runs_as_a_numeric_non_root_user(runtime_stage):
    users = runtime_stage.all("USER")
    assert users, "runtime stage has no USER"
    user, _, group = users[-1].args.partition(":")
    assert user.isdigit() and int(user) != 0, f"USER must be a numeric non-zero uid, got {users[-1].args}"
    assert not group or (group.isdigit() and int(group) != 0)
    created = " ".join(run.args for run in runtime_stage.all("RUN"))
    assert re.search(rf"useradd\b.*--uid {user}\b", created), "USER uid is not created by useradd"


def test_runtime_stage_exposes_8080_and_has_a_healthcheck_using_the_binary(runtime_stage):
    exposed = {p.split("/")[0] for e in runtime_stage.all("EXPOSE") for p in e.args.split()}
    assert str(CONTAINER_PORT) in exposed
    checks = runtime_stage.all("HEALTHCHECK")
    assert len(checks) == 1
    options, separator, command = checks[0].args.partition("CMD ")
    assert separator and all(o.startswith("--") for o in options.split()), "HEALTHCHECK needs options and a CMD"
    command = command.strip()
    argv = json.loads(command) if command.startswith("[") else shlex.split(command)
    assert Path(argv[0]).name == BINARY_NAME and argv[1] == "healthcheck", argv
    assert "curl" not in command and "wget" not in command
    forbidden = apt_installed(runtime_stage) & {"curl", "wget", "swift", "build-essential"}
    assert not forbidden, f"runtime stage installs {sorted(forbidden)}"


def test_runtime_entrypoint_is_the_copied_binary_in_exec_form(runtime_stage):
    entrypoints = runtime_stage.all("ENTRYPOINT")
    assert entrypoints, "runtime stage has no ENTRYPOINT"
    argv = yaml.safe_load(entrypoints[-1].args)
    assert isinstance(argv, list), "ENTRYPOINT must use the exec (JSON) form so the binary is PID 1"
    assert Path(argv[0]).name == BINARY_NAME
    destinations = [copy_parts(c)[2] for c in runtime_stage.all("COPY")]
    assert any(argv[0].startswith(d.rstrip("/") + "/") for d in destinations), (argv[0], destinations)
    healthcheck = runtime_stage.all("HEALTHCHECK")[0].args
    assert argv[0] in healthcheck, "HEALTHCHECK must run the same binary as ENTRYPOINT"


def test_runtime_stage_has_oci_labels(runtime_stage):
    labels: dict[str, str] = {}
    for label in runtime_stage.all("LABEL"):
        for word in shlex.split(label.args):
            key, _, value = word.partition("=")
            labels[key] = value
    required = {"title", "description", "version", "revision", "created", "source"}
    present = {k.removeprefix("org.opencontainers.image.") for k in labels if k.startswith("org.opencontainers.image.")}
    assert required <= present, f"missing OCI labels: {sorted(required - present)}"
    assert labels["org.opencontainers.image.title"] == BINARY_NAME


def dockerignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether `path` (relative, '/'-separated) is left out of the build context:
    the last matching pattern wins; a pattern also excludes everything below."""
    excluded = False
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or (
            pattern.startswith("**/") and any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts)
        ):
            excluded = not negate
    return excluded


def test_dockerignore_excludes_build_products_but_not_the_sources():
    patterns = dockerignore_patterns()
    for path in [".build", ".build/release/activation-service", ".git", ".swiftpm"]:
        assert dockerignored(path, patterns), f"{path} must not be sent to the Docker daemon"
    tracked = subprocess.run(
        ["git", "ls-files", "Package.swift", "Sources", "Tests"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    needed = tracked or [str(p.relative_to(ROOT)) for p in ROOT.glob("Sources/**/*") if p.is_file()]
    needed.append("Package.swift")
    ignored = [p for p in needed if dockerignored(p, patterns)]
    assert not ignored, f".dockerignore drops files the build needs: {ignored[:5]}"


def test_every_copy_source_exists(build_stage, runtime_stage, dockerfile):
    _, stages = dockerfile
    stage_names = {s.name for s in stages if s.name}
    patterns = dockerignore_patterns()
    build_script = " ".join(run.args for run in build_stage.all("RUN"))
    toolchain = swift_toolchain_usr()
    for stage in stages:
        for copy in stage.all("COPY") + stage.all("ADD"):
            assert copy.keyword == "COPY", f"line {copy.line}: use COPY, not ADD"
            flags, sources, _ = copy_parts(copy)
            if "from" in flags:
                assert flags["from"] in stage_names, f"line {copy.line}: unknown stage {flags['from']}"
                for source in sources:
                    # Staged by the build stage's RUN, or shipped in the Swift toolchain.
                    staged = re.search(rf"mkdir\s+(-p\s+)?{re.escape(source.rstrip('/'))}\b", build_script)
                    in_toolchain = (
                        toolchain is not None
                        and source.startswith("/usr/")
                        and (toolchain / source.removeprefix("/usr/")).exists()
                    )
                    assert staged or in_toolchain, f"line {copy.line}: nothing in stage build creates {source}"
                continue
            for source in sources:
                matches = [m for m in glob.glob(str(ROOT / source)) if Path(m).exists()]
                assert matches, f"line {copy.line}: COPY source {source} does not exist in the repository"
                context = [m for m in matches if not dockerignored(os.path.relpath(m, ROOT), patterns) or source == "."]
                assert context, f"line {copy.line}: COPY source {source} is excluded by .dockerignore"


def test_files_the_build_stage_takes_from_the_toolchain_exist(build_stage):
    toolchain = swift_toolchain_usr()
    if toolchain is None:
        pytest.skip("no Swift toolchain on PATH to compare with")
    for run in build_stage.all("RUN"):
        for command in shell_commands(run.args):
            if command and command[0] == "cp":
                for source in command[1:-1]:
                    if source.startswith("/usr/"):
                        local = toolchain / source.removeprefix("/usr/")
                        assert local.is_file(), f"{source} is not part of the Swift toolchain ({local})"


def test_backtracer_path_points_into_the_image(runtime_stage, build_stage):
    env = " ".join(e.args for e in runtime_stage.all("ENV"))
    match = re.search(r"swift-backtrace=(\S+?)(?=[\s,\"]|$)", env)
    if not match:
        return  # backtraces disabled: nothing to check
    path = match.group(1)
    assert path.startswith("/"), "SWIFT_BACKTRACE swift-backtrace= must be absolute (cwd may change)"
    build_script = " ".join(run.args for run in build_stage.all("RUN"))
    assert Path(path).name in build_script, f"{Path(path).name} is never staged"


# --------------------------------------------------------------------------
# Shared libraries of the built binary vs. the runtime stage


def readelf_needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def ldconfig_paths() -> dict[str, str]:
    """soname -> path of this machine's architecture, from `ldconfig -p`."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    if not Path(ldconfig).exists():
        return {}
    out = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
    triplet = f"{platform.machine()}-linux-gnu"
    paths: dict[str, str] = {}
    for soname, path in re.findall(r"^\s*(\S+) \([^)]*\) => (\S+)$", out, flags=re.M):
        if soname not in paths or (triplet in path and triplet not in paths[soname]):
            paths[soname] = path
    return paths


def dpkg_owner(path: str) -> set[str]:
    candidates = {path, os.path.realpath(path)}
    for p in list(candidates):  # usrmerge: dpkg may know either spelling
        candidates.add(p.removeprefix("/usr") if p.startswith("/usr/") else "/usr" + p)
    for candidate in sorted(candidates):
        result = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if result.returncode == 0:
            owners = result.stdout.splitlines()[0].rsplit(": ", 1)[0]
            return {o.strip().split(":")[0] for o in owners.split(",")}
    return set()


def package_of(soname: str, paths: dict[str, str]) -> set[str]:
    if shutil.which("dpkg") and soname in paths:
        owners = dpkg_owner(paths[soname])
        if owners:
            return owners
    if soname in FALLBACK_SONAME_PACKAGES:
        return {FALLBACK_SONAME_PACKAGES[soname]}
    pytest.fail(f"cannot map {soname} to a Debian package (not found by dpkg -S and not in the fallback table)")


def dependency_closure(packages: set[str]) -> set[str]:
    """The packages plus everything they depend on, as far as dpkg knows them."""
    if not shutil.which("dpkg-query"):
        return set(packages)
    seen, todo = set(), list(packages)
    while todo:
        package = todo.pop()
        if package in seen:
            continue
        seen.add(package)
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}", package], capture_output=True, text=True
        )
        if result.returncode != 0:
            continue
        for alternative in re.split(r"[,|]", result.stdout):
            name = alternative.strip().split(" ")[0].split(":")[0]
            if name:
                todo.append(name)
    return seen


def static_stdlib_libraries(needed: list[str], toolchain: Path | None) -> tuple[set[str], set[str]]:
    """System sonames of the binary as --static-swift-stdlib would link it.

    A binary built without --static-swift-stdlib (plain `swift build`) needs the
    toolchain's shared Swift libraries; the image links their static archives
    instead, which need what the shared ones need plus the libraries listed in
    static-stdlib-args.lnk. Returns (system sonames, toolchain sonames)."""
    toolchain_dir = toolchain / "lib" / "swift" / "linux" if toolchain else None
    system: set[str] = set()
    from_toolchain: set[str] = set()
    todo = list(needed)
    while todo:
        soname = todo.pop()
        if soname in system or soname in from_toolchain:
            continue
        if toolchain_dir is not None and (toolchain_dir / soname).exists():
            from_toolchain.add(soname)
            todo.extend(readelf_needed(toolchain_dir / soname))
        else:
            assert not re.match(r"lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime)", soname), (
                f"{soname} looks like a Swift runtime library but no toolchain was found to resolve it"
            )
            system.add(soname)
    if from_toolchain:
        static_dir = toolchain / "lib" / "swift_static" / "linux"
        for soname in from_toolchain:
            archive = static_dir / (soname.removesuffix(".so") + ".a")
            assert archive.exists(), f"{soname} has no static archive; --static-swift-stdlib cannot link it"
        paths = ldconfig_paths()
        for flag in (static_dir / "static-stdlib-args.lnk").read_text().split():
            if flag.startswith("-l"):
                name = f"lib{flag[2:]}.so"
                if (toolchain_dir / name).exists():
                    continue
                versioned = sorted(s for s in paths if s.startswith(name + "."))
                assert versioned, f"{flag} from static-stdlib-args.lnk is not installed here"
                system.add(versioned[0])
    return system, from_toolchain


def release_binary() -> Path:
    configured = os.environ.get("ACTIVATION_SERVICE_BIN")
    path = Path(configured) if configured else ROOT / ".build" / "release" / BINARY_NAME
    if not path.is_absolute():
        path = ROOT / path
    if not path.is_file():
        pytest.skip(f"release binary not built ({path}); run `swift build -c release` or `make test`")
    return path


def test_runtime_stage_installs_the_package_of_every_needed_library(runtime_stage, build_stage):
    binary = release_binary()
    assert shutil.which("readelf"), "readelf (binutils) is required: scripts/install-deps.sh --test installs it"
    toolchain = swift_toolchain_usr()
    system, from_toolchain = static_stdlib_libraries(readelf_needed(binary), toolchain)
    # The backtracer copied from the toolchain is dynamically linked too.
    build_script = " ".join(run.args for run in build_stage.all("RUN"))
    if toolchain is not None:
        for helper in re.findall(r"/usr/(libexec/swift/\S+)", build_script):
            system.update(readelf_needed(toolchain / helper))

    installed = apt_installed(runtime_stage)
    available = dependency_closure(installed) | BASE_IMAGE_PACKAGES
    paths = ldconfig_paths()
    report = {soname: package_of(soname, paths) for soname in sorted(system)}
    missing = {soname: sorted(pkgs) for soname, pkgs in report.items() if not pkgs & available}
    assert not missing, f"runtime stage lacks packages for {missing} (installs {sorted(installed)})"
    assert "libc.so.6" in system, f"readelf found no C library in {binary}: {sorted(system)}"


def test_runtime_packages_exist_in_the_distribution(runtime_stage):
    if not shutil.which("dpkg-query"):
        pytest.skip("not a Debian machine: cannot look packages up")
    for package in sorted(apt_installed(runtime_stage)):
        known = subprocess.run(["dpkg-query", "-W", package], capture_output=True).returncode == 0
        if not known and shutil.which("apt-cache"):
            known = bool(subprocess.run(["apt-cache", "show", package], capture_output=True, text=True).stdout)
        assert known, f"{package} is unknown to dpkg and apt on this Debian machine"


# --------------------------------------------------------------------------
# YAML manifests


def load_documents(path: Path) -> list[dict]:
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
    assert documents, f"{path} holds no YAML document"
    return documents


def yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"})


@pytest.fixture(scope="module")
def manifests() -> dict[str, list[dict]]:
    return {p.name: load_documents(p) for p in yaml_files(K8S) if p.name != "kustomization.yaml"}


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return load_documents(K8S / "kustomization.yaml")[0]


def deployed_objects(manifests, kustomization) -> list[dict]:
    return [d for name in kustomization["resources"] for d in manifests[name]]


def one(objects: list[dict], kind: str) -> dict:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="module")
def objects(manifests, kustomization) -> list[dict]:
    return deployed_objects(manifests, kustomization)


@pytest.fixture(scope="module")
def deployment(objects) -> dict:
    return one(objects, "Deployment")


@pytest.fixture(scope="module")
def pod(deployment) -> dict:
    return deployment["spec"]["template"]


@pytest.fixture(scope="module")
def container(pod) -> dict:
    containers = pod["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.fixture(scope="module")
def configmap(objects) -> dict:
    return one(objects, "ConfigMap")


def seconds(value) -> float:
    """'20', 20, '30s', '1m30s' -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a duration: {value!r}"
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)


def test_every_yaml_file_under_deploy_parses():
    files = yaml_files(DEPLOY)
    assert COMPOSE in files and K8S / "kustomization.yaml" in files
    for path in files:
        for document in load_documents(path):
            assert isinstance(document, dict), f"{path}: top level must be a mapping"


def test_every_manifest_is_a_labelled_kubernetes_object(manifests):
    assert manifests
    instances = set()
    for name, documents in manifests.items():
        for document in documents:
            for key in ("apiVersion", "kind", "metadata"):
                assert key in document, f"{name}: {key} missing"
            labels = document["metadata"].get("labels", {})
            assert labels.get("app.kubernetes.io/name") == BINARY_NAME, f"{name}: app.kubernetes.io/name label"
            assert "app.kubernetes.io/instance" in labels, f"{name}: app.kubernetes.io/instance label"
            instances.add(labels["app.kubernetes.io/instance"])
            assert "namespace" not in document["metadata"], f"{name}: leave the namespace to kubectl/kustomize"
    assert len(instances) == 1, f"objects disagree on app.kubernetes.io/instance: {sorted(instances)}"


def test_kustomization_lists_every_manifest_and_only_existing_files(kustomization, manifests):
    assert kustomization["apiVersion"].startswith("kustomize.config.k8s.io/")
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "duplicate resources"
    for name in listed:
        assert (K8S / name).is_file(), f"kustomization lists missing file {name}"
    # Examples (secret.example.yaml) must never be applied by `kubectl apply -k`.
    expected = {name for name in manifests if not name.endswith(".example.yaml")}
    assert set(listed) == expected, f"unlisted: {expected - set(listed)}, examples listed: {set(listed) - expected}"
    kinds = {d["kind"] for name in listed for d in manifests[name]}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ConfigMap"} <= kinds
    assert "Secret" not in kinds, "a Secret in the kustomization would deploy a placeholder key"


def test_kustomization_image_override_targets_the_container(kustomization, container):
    names = {image["name"] for image in kustomization.get("images", [])}
    assert container["image"].split(":")[0] in names


def test_deployment_probes_use_healthz_and_readyz_on_the_http_port(container):
    ports = container["ports"]
    assert [(p["name"], p["containerPort"]) for p in ports] == [("http", CONTAINER_PORT)]
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    assert liveness["httpGet"]["path"] == "/healthz"
    assert readiness["httpGet"]["path"] == "/readyz"
    for probe in (liveness, readiness):
        assert probe["httpGet"]["port"] in ("http", CONTAINER_PORT)
        assert probe.get("timeoutSeconds", 1) < probe.get("periodSeconds", 10)
    # Liveness must be more tolerant than readiness: a busy pod gets unready, not killed.
    assert liveness.get("failureThreshold", 3) * liveness.get("periodSeconds", 10) > readiness.get(
        "failureThreshold", 3
    ) * readiness.get("periodSeconds", 10)


def test_deployment_sets_requests_and_limits(container):
    resources = container["resources"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources[kind]), f"{kind} needs cpu and memory"

    def cpu(value) -> float:
        text = str(value)
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)

    def memory(value) -> float:
        units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9}
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?)?", str(value))
        assert match, value
        return float(match.group(1)) * units.get(match.group(2) or "", 1)

    assert cpu(resources["requests"]["cpu"]) <= cpu(resources["limits"]["cpu"])
    assert memory(resources["requests"]["memory"]) <= memory(resources["limits"]["memory"])
    # A request at the default body limit (64 MiB) must fit several times over.
    assert memory(resources["limits"]["memory"]) >= 4 * 67108864


def test_deployment_security_context_is_locked_down(pod, container, runtime_stage):
    pod_security = pod["spec"].get("securityContext", {})
    security = container["securityContext"]
    assert security.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True
    assert pod_security.get("runAsNonRoot", True) is True, "pod and container must agree on runAsNonRoot"
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security.get("privileged", False) is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert not security["capabilities"].get("add")
    uid = security.get("runAsUser", pod_security.get("runAsUser"))
    image_uid = int(runtime_stage.all("USER")[-1].args.split(":")[0])
    assert uid in (None, image_uid), f"runAsUser {uid} differs from the image's USER {image_uid}"
    assert pod["spec"].get("automountServiceAccountToken") is False


def test_read_only_root_filesystem_gets_a_writable_tmp(pod, container):
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    assert "/tmp" in mounts
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def test_termination_grace_period_exceeds_prestop_plus_drain_timeout(pod, container, configmap):
    drain = seconds(configmap["data"]["DRAIN_TIMEOUT"])
    pre_stop = 0.0
    hook = container.get("lifecycle", {}).get("preStop")
    if hook:
        if "sleep" in hook:
            pre_stop = float(hook["sleep"]["seconds"])
        else:
            command = hook["exec"]["command"]
            assert Path(command[0]).name == "sleep" or "sleep" in command[-1]
            pre_stop = seconds(re.findall(r"\d+(?:\.\d+)?", " ".join(command))[-1])
    grace = pod["spec"]["terminationGracePeriodSeconds"]
    assert grace > pre_stop + drain, f"grace {grace}s <= preStop {pre_stop}s + DRAIN_TIMEOUT {drain}s"


def test_prestop_hook_uses_a_program_present_in_the_runtime_image(container):
    hook = container.get("lifecycle", {}).get("preStop")
    if hook and "exec" in hook:
        # debian:bookworm-slim ships coreutils (Essential) in /bin.
        program = hook["exec"]["command"][0]
        assert program in {"/bin/sleep", "/usr/bin/sleep", "/bin/sh", "sleep", "sh"}, program


def test_deployment_takes_settings_from_the_configmap_and_an_optional_secret(container, objects, configmap):
    config_refs = [e["configMapRef"]["name"] for e in container.get("envFrom", []) if "configMapRef" in e]
    assert config_refs == [configmap["metadata"]["name"]]
    env = {e["name"]: e for e in container.get("env", [])}
    for name in env:
        assert name in KNOWN_SETTINGS, f"unknown setting {name}"
    api_key = env.get("API_KEY")
    if api_key is not None:
        reference = api_key["valueFrom"]["secretKeyRef"]
        assert reference["optional"] is True, "the API key Secret must be optional"
    else:
        assert "API_KEY_FILE" in env or "API_KEY_FILE" in configmap["data"], "no way to configure the API key"


def test_secret_example_matches_the_deployment_reference(manifests, container):
    reference = next(e for e in container["env"] if e["name"] == "API_KEY")["valueFrom"]["secretKeyRef"]
    secret = manifests["secret.example.yaml"][0]
    assert secret["kind"] == "Secret"
    assert secret["metadata"]["name"] == reference["name"]
    assert reference["key"] in secret.get("stringData", secret.get("data", {}))


def test_configmap_holds_only_known_settings_consistent_with_the_pod(configmap, container):
    data = configmap["data"]
    for key, value in data.items():
        assert key in KNOWN_SETTINGS, f"unknown setting {key}"
        assert isinstance(value, str), f"{key}: ConfigMap values must be strings (quote them)"
    assert "API_KEY" not in data, "keep the API key in a Secret"
    assert int(data.get("PORT", CONTAINER_PORT)) == CONTAINER_PORT
    assert data.get("HOST", "0.0.0.0") == "0.0.0.0", "the pod must listen on all interfaces"
    for key in ("DRAIN_TIMEOUT", "CONNECTION_TIMEOUT", "JOB_TTL"):
        if key in data:
            seconds(data[key])


def test_prometheus_scrape_annotations_point_at_metrics(pod):
    annotations = pod["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert annotations.get("prometheus.io/path") == "/metrics"
    assert annotations.get("prometheus.io/port") == str(CONTAINER_PORT)


def test_selectors_match_the_pod_labels(deployment, pod):
    labels = pod["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector and selector.items() <= labels.items()
    assert labels.get("app.kubernetes.io/name") == BINARY_NAME


def test_services_route_port_80_to_the_container_port(objects, pod, container):
    labels = pod["metadata"]["labels"]
    services = [o for o in objects if o["kind"] == "Service"]
    assert services and services[0]["metadata"]["name"] == BINARY_NAME
    for service in services:
        spec = service["spec"]
        assert spec.get("type", "ClusterIP") == "ClusterIP"
        assert spec["selector"] and spec["selector"].items() <= labels.items()
        (port,) = spec["ports"]
        assert port["name"] == "http" and port["port"] == 80
        target = port["targetPort"]
        assert target in [p["name"] for p in container["ports"]] + [p["containerPort"] for p in container["ports"]]
    # Evaluation traffic is spread over all replicas; only the jobs Service is sticky.
    assert services[0]["spec"].get("sessionAffinity", "None") == "None"
    sticky = [s for s in services if s["spec"].get("sessionAffinity") == "ClientIP"]
    for service in sticky:
        timeout = service["spec"].get("sessionAffinityConfig", {}).get("clientIP", {}).get("timeoutSeconds", 10800)
        assert 0 < timeout <= 86400


def test_hpa_scales_the_deployment_on_cpu(objects, deployment, container):
    hpa = one(objects, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        deployment["metadata"]["name"],
    )
    metrics = hpa["spec"]["metrics"]
    cpu = [m for m in metrics if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
    assert cpu and cpu[0]["resource"]["target"]["type"] == "Utilization"
    assert 0 < cpu[0]["resource"]["target"]["averageUtilization"] <= 100
    assert "cpu" in container["resources"]["requests"], "CPU utilisation needs a CPU request"
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"


def test_pdb_keeps_one_pod_and_selects_the_pods(objects, pod):
    pdb = one(objects, "PodDisruptionBudget")
    hpa = one(objects, "HorizontalPodAutoscaler")
    assert pdb["apiVersion"] == "policy/v1"
    assert pdb["spec"]["minAvailable"] == 1
    selector = pdb["spec"]["selector"]["matchLabels"]
    assert selector and selector.items() <= pod["metadata"]["labels"].items()
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "the PDB would block every node drain"


def test_kubectl_kustomize_renders_the_listed_objects(manifests, kustomization):
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl not installed")
    result = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    expected = deployed_objects(manifests, kustomization)
    assert sorted((d["kind"], d["metadata"]["name"]) for d in rendered) == sorted(
        (d["kind"], d["metadata"]["name"]) for d in expected
    )


def test_manifests_match_the_kubernetes_api_schema(manifests):
    # Optional: `pip install kubernetes-validate` (bundled OpenAPI schemas, no cluster).
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for name, documents in manifests.items():
        for document in documents:
            for version in ("1.27.0", kubernetes_validate.latest_version()):
                try:
                    kubernetes_validate.validate(document, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    pytest.fail(f"{name}: {document['kind']} invalid for Kubernetes {version}: {error}")


# --------------------------------------------------------------------------
# compose.yaml


@pytest.fixture(scope="module")
def compose_service() -> dict:
    compose = load_documents(COMPOSE)[0]
    services = compose["services"]
    assert list(services) == [BINARY_NAME]
    return services[BINARY_NAME]


def test_compose_builds_the_repository_dockerfile(compose_service):
    build = compose_service["build"]
    context = (COMPOSE.parent / build["context"]).resolve()
    assert context == ROOT, f"build context {context} is not the repository root"
    assert (context / build.get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


def test_compose_publishes_8080_and_checks_health_with_the_binary(compose_service, runtime_stage):
    assert f"{CONTAINER_PORT}:{CONTAINER_PORT}" in [str(p) for p in compose_service["ports"]]
    test = compose_service["healthcheck"]["test"]
    assert isinstance(test, list) and test[0] == "CMD", "exec-form healthcheck (the image has no curl)"
    entrypoint = yaml.safe_load(runtime_stage.all("ENTRYPOINT")[-1].args)[0]
    assert test[1] == entrypoint and test[2] == "healthcheck"
    if "--port" in test:
        assert test[test.index("--port") + 1] == str(CONTAINER_PORT)


def test_compose_runs_read_only_and_restarts(compose_service):
    assert compose_service["read_only"] is True
    assert any(str(t).split(":")[0] == "/tmp" for t in compose_service["tmpfs"])
    assert compose_service["restart"] == "unless-stopped"
    assert compose_service.get("cap_drop") == ["ALL"]
    assert "no-new-privileges:true" in compose_service.get("security_opt", [])


def test_compose_stop_grace_period_exceeds_drain_timeout(compose_service, configmap):
    environment = compose_service["environment"]
    assert isinstance(environment, dict)
    for key in environment:
        assert key in KNOWN_SETTINGS, f"unknown setting {key}"
    drain = seconds(environment.get("DRAIN_TIMEOUT", KNOWN_SETTINGS["DRAIN_TIMEOUT"]))
    assert seconds(compose_service["stop_grace_period"]) > drain
    assert environment.get("DRAIN_TIMEOUT") == configmap["data"]["DRAIN_TIMEOUT"]
    assert compose_service.get("stop_signal", "SIGTERM") == "SIGTERM"


# --------------------------------------------------------------------------
# Settings vs. the binary and the documentation


def help_text(binary: Path) -> str:
    """Help of the command and of each of its subcommands."""
    texts = []
    root = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    texts.append(root.stdout + root.stderr)
    section = re.search(r"SUBCOMMANDS:\n(.*?)(?:\n\n|\Z)", texts[0], flags=re.S)
    for line in section.group(1).splitlines() if section else []:
        name = line.strip().split(" ")[0]
        if name and name != "help":
            sub = subprocess.run([str(binary), name, "--help"], capture_output=True, text=True, timeout=30)
            texts.append(sub.stdout + sub.stderr)
    return "\n".join(texts)


def test_every_setting_the_manifests_use_is_a_flag_of_the_binary(configmap, container, compose_service):
    binary = release_binary()
    text = help_text(binary)
    if "--port" not in text:
        pytest.skip("the built binary has no server options yet (skeleton build)")
    used = set(configmap["data"]) | {e["name"] for e in container["env"]} | set(compose_service["environment"])
    missing = sorted(s for s in used if "--" + s.lower().replace("_", "-") not in text)
    assert not missing, f"settings without a matching command-line option: {missing}"


def test_deployment_doc_documents_every_setting():
    text = DEPLOYMENT_DOC.read_text()
    for setting in KNOWN_SETTINGS:
        assert re.search(rf"`{setting}`", text), f"docs/DEPLOYMENT.md does not document {setting}"
    for needle in ["kubectl apply -k deploy/kubernetes", "docker compose", "terminationGracePeriodSeconds"]:
        assert needle in text
