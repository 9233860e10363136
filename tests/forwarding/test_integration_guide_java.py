"""docs/bank-integration.md's Java samples, compiled and run: they accept our signatures and refuse a changed body.

A bank's IT team copies these into its receiver; a sample that does not compile or that refuses a
real delivery would cost them days. The machine's JDK (javac, java 17+) compiles them.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from bot.forwarding.signing import sign, standard_signatures

# The JVM checks webhook-timestamp against the machine's real clock.
pytestmark = pytest.mark.real_clock

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "bank-integration.md"

MAIN = """
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public class Main {
    public static void main(String[] args) throws Exception {
        List<String> v = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        byte[] body = v.get(0).getBytes(StandardCharsets.UTF_8);
        byte[] changed = (v.get(0) + " ").getBytes(StandardCharsets.UTF_8);
        System.out.println(SbkSignature.verify(body, v.get(1), v.get(2)));
        System.out.println(SbkSignature.verify(changed, v.get(1), v.get(2)));
        System.out.println(StandardWebhookSignature.verify(body, v.get(1), v.get(3), v.get(4), v.get(5)));
        System.out.println(StandardWebhookSignature.verify(changed, v.get(1), v.get(3), v.get(4), v.get(5)));
        System.out.println(StandardWebhookSignature.verify(body, v.get(1), v.get(3), v.get(6), v.get(7)));
    }
}
"""


def _java_samples() -> dict[str, str]:
    blocks = re.findall(r"```java\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return {re.search(r"public final class (\w+)", b).group(1): b for b in blocks}


def test_the_guides_java_samples_verify_our_signatures_and_refuse_a_changed_body(tmp_path):
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "a JDK (javac, java) is needed to check the guide's Java samples"
    samples = _java_samples()
    assert {"SbkSignature", "StandardWebhookSignature"} <= samples.keys()
    for name, source in samples.items():
        (tmp_path / f"{name}.java").write_text(source, encoding="utf-8")
    (tmp_path / "Main.java").write_text(MAIN, encoding="utf-8")

    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode("ascii")
    body = '{"ticket_no":"ZB-20261203-0001","bank":"中国建设银行"}'
    now, stale = int(time.time()), int(time.time()) - 600
    signature = standard_signatures(body.encode(), msg_id="dlv_1", timestamp=now, secrets=[secret])
    replayed = standard_signatures(body.encode(), msg_id="dlv_1", timestamp=stale, secrets=[secret])
    vectors = [body, secret, sign(body.encode(), secret), "dlv_1", str(now), signature, str(stale), replayed]
    (tmp_path / "vectors.txt").write_text("\n".join(vectors) + "\n", encoding="utf-8")

    subprocess.run([javac, "-d", str(tmp_path), *map(str, tmp_path.glob("*.java"))], check=True,
                   capture_output=True, timeout=120)
    result = subprocess.run([java, "-cp", str(tmp_path), "Main", str(tmp_path / "vectors.txt")],
                            capture_output=True, text=True, timeout=60, check=True)
    sbk_ok, sbk_changed, std_ok, std_changed, std_replayed = result.stdout.split()
    assert (sbk_ok, sbk_changed) == ("true", "false")
    assert (std_ok, std_changed) == ("true", "false")
    assert std_replayed == "false"  # ten minutes old: refused as a replay
