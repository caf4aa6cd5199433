"""Issue 31's hostile inputs and faults, case by case: where each one is reproduced.

The cases live in ``tests/test_hostile_<area>.py`` by what they attack (the gate, inputs,
disguises, lineage, bounded work, faults); ``bench/bench_hostile.py`` times the bounded-work
cases at full size. This module is the index: every numbered case of the issue names the
tests that reproduce it, and the test below fails when one of them is renamed or removed
without the index following.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

# Issue 31, case by case: (file, test) pairs that reproduce it and assert it is caught,
# refused with one line, or bounded.
CASES: dict[str, list[tuple[str, str]]] = {
    "1 --since passed to git as an option": [
        ("test_hostile_gate.py", "test_since_is_a_revision_never_an_option"),
        ("test_hostile_gate.py", "test_since_resolves_the_revision_then_diffs_the_commit"),
        ("test_hostile_gate.py", "test_a_file_named_like_an_option_is_checked_not_obeyed"),
    ],
    "2 renamed files never checked": [
        ("test_hostile_gate.py", "test_a_renamed_file_with_appended_text_fails"),
        ("test_hostile_gate.py", "test_a_copied_file_is_checked_even_when_git_detects_copies"),
    ],
    "3 a disguised verbatim copy passes as unrelated": [
        ("test_hostile_disguise.py", "test_analyze_pairs_a_disguised_copy_with_its_source"),
        ("test_hostile_disguise.py", "test_check_fails_a_disguised_copy"),
    ],
    "4 one stray byte chooses a codec; any credit is believed": [
        ("test_hostile_inputs.py", "test_a_stray_byte_in_a_credited_copy_is_utf8_with_a_repair_and_still_a_copy"),
        ("test_hostile_inputs.py", "test_an_ascii_file_with_a_stray_byte_is_not_read_as_an_exotic_codec"),
        ("test_hostile_gate.py", "test_claiming_an_allowlisted_outlet_does_not_pass_someone_elses_page"),
        ("test_hostile_gate.py", "test_an_unverifiable_claim_passes_but_says_so"),
    ],
    "5 CSV formula injection": [
        ("test_hostile_gate.py", "test_csv_cells_never_start_a_formula"),
        ("test_hostile_gate.py", "test_workbook_cells_are_text_not_formulas"),
        ("test_hostile_gate.py", "test_libreoffice_reads_the_csv_and_the_workbook_as_text"),
    ],
    "6 file names unescaped in GitHub, terminal and JUnit output": [
        ("test_hostile_gate.py", "test_github_output_holds_only_the_annotations_it_means"),
        ("test_hostile_gate.py", "test_text_output_shows_control_characters"),
        ("test_hostile_gate.py", "test_junit_parses_whatever_the_names"),
    ],
    "7 symlinks followed out of the corpus": [
        ("test_hostile_inputs.py", "test_a_symlink_out_of_the_corpus_is_skipped_and_its_content_is_in_no_output"),
        ("test_hostile_inputs.py", "test_index_build_and_check_skip_the_symlink_out_of_the_corpus_too"),
    ],
    "8 a planted article decides another's lineage": [
        ("test_hostile_lineage.py", "test_planted_old_date_does_not_make_the_real_article_its_republication"),
        ("test_hostile_lineage.py", "test_no_document_claims_no_shared_text_while_sharing_text"),
        ("test_hostile_bounded.py", "test_a_contradicted_date_does_not_make_an_identical_copy_the_head"),
    ],
    "9 work explodes on shared quotes, identical copies, shared paragraphs": [
        ("test_hostile_bounded.py", "test_identical_copies_are_one_group_never_paired"),
        ("test_hostile_bounded.py", "test_a_statement_quoted_by_every_document_makes_no_pairs"),
        ("test_hostile_bounded.py", "test_a_bucket_pairs_its_members_with_its_largest_documents_only"),
        ("test_hostile_bounded.py", "test_verification_is_bounded_by_partners_per_document"),
        ("test_hostile_bounded.py", "test_stock_corpus_candidates_stay_linear"),
        ("test_hostile_gate.py", "test_exact_copies_count_against_max_matches"),
        ("test_hostile_faults.py", "test_kill_9_leaves_no_worker_and_the_next_run_removes_its_cache"),
    ],
    "10 a non-UTF-8 file name crashes": [
        ("test_hostile_inputs.py", "test_a_non_utf8_name_goes_through_every_output"),
        ("test_hostile_inputs.py", "test_a_non_utf8_name_in_the_index_and_the_gate"),
        ("test_hostile_gate.py", "test_an_undecodable_file_name_is_shown_not_a_crash"),
    ],
    "11 dead workers, corrupt indexes and locks give tracebacks": [
        ("test_hostile_faults.py", "test_a_killed_worker_is_retried_and_the_run_is_the_same"),
        ("test_hostile_faults.py", "test_a_worker_killed_twice_is_one_line_naming_the_files"),
        ("test_hostile_faults.py", "test_a_damaged_index_is_one_line_for_check_and_update"),
        ("test_hostile_faults.py", "test_update_checks_the_database_before_reporting_success"),
        ("test_hostile_faults.py", "test_a_locked_index_is_waited_for_then_one_line"),
    ],
    "12 outputs atomic per file, not as a set; orphans and caches left": [
        ("test_hostile_faults.py", "test_a_full_disk_midway_leaves_the_old_set_and_no_debris"),
        ("test_hostile_faults.py", "test_a_set_cut_off_while_moving_in_is_finished_by_the_next_run"),
        ("test_hostile_faults.py", "test_kill_9_leaves_no_worker_and_the_next_run_removes_its_cache"),
        ("test_hostile_faults.py", "test_sigterm_stops_the_workers_and_removes_the_cache"),
    ],
    "13 paths skipped silently; nothing matched reports success": [
        ("test_hostile_inputs.py", "test_every_skipped_path_is_listed_with_its_reason"),
        ("test_hostile_inputs.py", "test_a_named_fifo_is_refused_as_not_a_regular_file_without_blocking"),
        ("test_hostile_inputs.py", "test_a_path_or_pattern_that_matches_nothing_is_an_input_error"),
    ],
    "14 settings out of range crash or are accepted": [
        ("test_hostile_faults.py", "test_out_of_range_setting_is_one_line"),
        ("test_hostile_faults.py", "test_check_options_are_validated"),
        ("test_hostile_faults.py", "test_every_numeric_setting_has_a_range_that_holds_its_default"),
    ],
}


def _tests_in(name: str) -> set[str]:
    tree = ast.parse((HERE / name).read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


@pytest.mark.parametrize("case", sorted(CASES, key=lambda c: int(c.split()[0])))
def test_every_case_of_the_issue_is_reproduced_by_a_test(case: str) -> None:
    missing = [f"{file}::{test}" for file, test in CASES[case] if test not in _tests_in(file)]
    assert not missing, f"case {case}: no such test {missing}"


def test_the_index_covers_every_case() -> None:
    assert sorted(int(case.split()[0]) for case in CASES) == list(range(1, 15))
