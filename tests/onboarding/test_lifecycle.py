from types import SimpleNamespace

from portal.onboarding.lifecycle import lifecycle_steps, next_step


def states(status):
    return [(step.label, step.state) for step in lifecycle_steps(status)]


def test_steps_follow_the_request():
    assert states("draft")[0] == ("Draft", "current")
    assert states("in_review")[:2] == [("Submitted", "done"), ("In review", "current")]
    assert states("provisioning")[3] == ("Provisioning", "current")
    assert states("active")[-1] == ("Active", "done")
    assert states("failed")[3] == ("Failed", "problem")
    assert states("rejected") == [("Submitted", "done"), ("Rejected", "problem")]
    assert states("decommissioned")[-1] == ("Decommissioned", "done")


def test_next_step_names_the_teams_still_to_decide():
    stage = SimpleNamespace(team=SimpleNamespace(name="Finance"), status="pending")
    waiting = SimpleNamespace(status="in_review", pending_stages=[stage])
    assert next_step(waiting) == "Waiting for Finance"
    assert next_step(SimpleNamespace(status="changes_requested")).startswith("Your turn")
