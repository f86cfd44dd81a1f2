"""Our branch-name rules agree with the real ``git check-ref-format --branch``, name by name."""

import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.catalog.git_refs import branch_name_problem

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

CORPUS = [
    "main", "feature/x", "release/2024.05", "a", "@", "a@b", "a{b}", "user/ana/fix-1", "refs/heads/x", "é", "ünï/cødé",
    "v1.0", "a.b.c", "a-b_c+d=e,f", "x!", "#1", "a'b", 'a"b', "a;b", "a|b", "a$b", "a%b", "a&b", "(x)", "a<b>",
    "../evil", "..", ".", "a..b", "a/..", "a/../b", ".hidden", "a/.b", "a.", "a/b.", "a.lock", "a/b.lock",
    "a/b.lock/c", "a.lock/b", "a.locked", "x.lock.y", "lock", ".lock", "/a", "a/", "a//b", "//", "/", "",
    "-x", "--force", "a-", "x/-y", "HEAD", "head", "HEAD/x", "x/HEAD", "@{-1}", "a@{b", "@{", "a@", "{@",
    "a b", " a", "a ", "a\tb", "a\nb", "a\rb", "a\x01b", "a\x1fb", "a\x7fb", "a~1", "a^",
    "a:b", "a?", "a*", "a[0]", "a]", "a\\b", "x\u202ey", "x\u200by", "x\u0085y", "a/b/c/d/e/f", "a" * 200,
]
ALPHABET = "ab/.-@{}~^:?*[\\ \t\x7f\x01lockHED\u00e9"


def git_accepts(name: str) -> bool:
    """Git's verdict outside any repository: inside one, ``@{-1}`` means "the branch checked out before"
    and is accepted or not by that repository's history (a clean CI clone has none)."""
    return subprocess.run([GIT, "check-ref-format", "--branch", name], capture_output=True, check=False,
                          cwd=tempfile.gettempdir()).returncode == 0


@pytest.mark.parametrize("name", CORPUS)
def test_the_corpus_is_judged_as_git_judges_it(name):
    assert (branch_name_problem(name) is None) == git_accepts(name), name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=12))
def test_random_names_are_judged_as_git_judges_them(name):
    assert (branch_name_problem(name) is None) == git_accepts(name), repr(name)


def test_the_reason_says_what_is_wrong():
    assert branch_name_problem("../evil") == "it must not contain two dots in a row (..)"
    assert branch_name_problem("a.lock") == "no part between slashes may end with .lock"
    assert branch_name_problem("-x") == "it must not start with a dash"
