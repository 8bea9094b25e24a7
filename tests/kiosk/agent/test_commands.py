"""Remote commands: executed once, remembered across restarts, acked by id in a later beacon."""

from __future__ import annotations

from kiosk.agent.identity_override import effective_identity
from kiosk.agent.runner import Agent
from kiosk.agent.spool import UI_TIMEOUT_S, CommandSpool
from kiosk.client import CountyClient
from tests.support.kiosk_env import DEVICE_ID

from kiosk.catalog.loader import catalog_payload, load_shipped

CATALOG = {**catalog_payload(load_shipped()), "version": "2026.12.1"}


def make_agent(env, store) -> Agent:
    config, key = env
    return Agent(config, store.outbox, store.kv, CountyClient.from_config(config, key))


def spool_of(env) -> CommandSpool:
    config, _ = env
    return CommandSpool(config.path(config.paths.runtime_dir))


def acks_in(county) -> dict[str, tuple[bool, str]]:
    return {a["command_id"]: (a["ok"], a["message"]) for a in county.command_acks}


def test_each_command_type_is_executed_and_acked_in_a_later_beacon(env, store, county) -> None:
    county.queue_command(DEVICE_ID, "c1", "set_identity", {"phone": "0371-12345678", "maintainer": "新维护单位"})
    county.queue_command(DEVICE_ID, "c2", "print_test_page")
    county.queue_command(DEVICE_ID, "c3", "self_destruct")
    county.queue_command(DEVICE_ID, "c4", "set_identity", {"device_id": "ZZ-EQ-9999"})
    county.queue_command(DEVICE_ID, "c5", "set_identity", {"phone": "not a phone!"})
    agent = make_agent(env, store)
    agent.send_beacon()
    assert county.beacons[0]["acks"] == []
    agent.send_beacon()
    acks = acks_in(county)
    assert acks["c1"][0] is True
    assert acks["c3"] == (False, "unknown command type 'self_destruct'")
    assert acks["c4"][0] is False and "device_id" in acks["c4"][1]
    assert acks["c5"][0] is False and "phone" in acks["c5"][1]
    assert "c2" not in acks  # waits for the UI
    assert county.beacons[-1]["identity"]["phone"] == "0371-12345678"
    assert effective_identity(env[0].identity, store.kv).maintainer == "新维护单位"
    # the UI takes the command and answers
    ui = spool_of(env)
    taken = ui.take()
    assert [(c.id, c.type, c.resumed) for c in taken] == [("c2", "print_test_page", False)]
    assert ui.take() == []
    ui.finish("c2", True, "test page printed")
    agent.send_beacon()
    assert acks_in(county)["c2"] == (True, "test page printed")
    assert county.commands[DEVICE_ID] == []
    assert ui.where("c2") is None  # nothing left in the spool
    agent.send_beacon()
    assert county.beacons[-1]["acks"] == []  # each ack is sent until answered, then no more


def test_reload_catalog_fetches_with_the_etag(env, store, county) -> None:
    county.set_catalog(CATALOG, '"v2"')
    county.queue_command(DEVICE_ID, "r1", "reload_catalog")
    agent = make_agent(env, store)
    agent.send_beacon()
    agent.send_beacon()
    ok, message = acks_in(county)["r1"]
    fetches = county.requests_to("GET", "/catalog")
    assert len(fetches) == 1 and fetches[0][2] == 200
    assert (ok, "2026.12.1" in message) == (True, True), message
    assert county.beacons[-1]["software"]["catalog_version"] == "2026.12.1"
    county.queue_command(DEVICE_ID, "r2", "reload_catalog")
    agent.send_beacon()
    agent.send_beacon()
    assert acks_in(county)["r2"][0] is True and county.requests_to("GET", "/catalog")[-1][2] == 304
    county.set_catalog({"version": "broken", "items": [{"code": "x"}]}, '"v3"')
    county.queue_command(DEVICE_ID, "r3", "reload_catalog")
    agent.send_beacon()
    agent.send_beacon()
    ok, message = acks_in(county)["r3"]
    assert ok is False and "last good one stays" in message
    assert county.beacons[-1]["software"]["catalog_version"] == "2026.12.1"


def test_commands_are_executed_once_across_a_restart_even_when_sent_again(env, store, county) -> None:
    county.set_catalog(CATALOG, '"v2"')
    county.queue_command(DEVICE_ID, "k1", "reload_catalog")
    county.queue_command(DEVICE_ID, "k2", "enter_maintenance")
    make_agent(env, store).send_beacon()  # executed; the agent then "dies" before any ack goes out
    # a new process, and a backend that sends the same commands again
    county.queue_command(DEVICE_ID, "k1", "reload_catalog")
    county.queue_command(DEVICE_ID, "k2", "enter_maintenance")
    county.fail("cut", match="POST /beacons")  # and the first answer of the new process is lost
    agent = make_agent(env, store)
    assert agent.send_beacon() is False
    assert agent.send_beacon() is True
    agent.send_beacon()
    assert len(county.requests_to("GET", "/catalog")) == 1
    taken = spool_of(env).take()
    assert [c.id for c in taken] == ["k2"]
    assert acks_in(county)["k1"][0] is True
    assert sum(1 for a in county.command_acks if a["command_id"] == "k1") >= 1


def test_a_command_the_ui_never_takes_is_withdrawn_and_acked_false(env, store, county) -> None:
    county.queue_command(DEVICE_ID, "u1", "restart_app")
    agent = make_agent(env, store)
    agent.send_beacon()
    assert spool_of(env).where("u1") == "new"
    agent.commands.poll_spool(agent.clock() + UI_TIMEOUT_S + 1)
    agent.send_beacon()
    assert acks_in(county)["u1"] == (False, "the UI did not take the command in time")
    assert spool_of(env).take() == []


def test_spool_survives_a_ui_crash_between_take_and_finish(tmp_path) -> None:
    agent_side, ui_side = CommandSpool(tmp_path), CommandSpool(tmp_path)
    assert agent_side.enqueue("a1", "leave_maintenance", {}) is True
    assert agent_side.enqueue("a1", "leave_maintenance", {}) is False  # never twice
    assert [c.id for c in ui_side.take()] == ["a1"]
    assert agent_side.drop_if_unclaimed("a1") is False  # the UI has it
    assert ui_side.take() == []  # handed out once
    again = CommandSpool(tmp_path).unfinished()  # the UI restarted before finishing
    assert [(c.id, c.resumed) for c in again] == [("a1", True)]
    ui_side.finish("a1", False, "printer has no paper")
    assert agent_side.result("a1").message == "printer has no paper"
    assert CommandSpool(tmp_path).take() == [] and CommandSpool(tmp_path).unfinished() == []
    agent_side.forget("a1")
    assert agent_side.where("a1") is None


def test_one_malformed_command_does_not_block_the_others(env, store, county) -> None:
    long_id = "L" * 100  # the contract sets no limit on ids
    county.queue_command(DEVICE_ID, "g1", "set_identity", {"maintainer": "新维护单位"})
    county.queue_raw_command(DEVICE_ID, {"id": "bad1", "type": 5})
    county.queue_raw_command(DEVICE_ID, {"type": "restart_app"})  # no id: cannot be acked
    county.queue_raw_command(DEVICE_ID, "nonsense")
    county.queue_raw_command(DEVICE_ID, {"id": "bad2", "type": "print_test_page", "args": [1, 2]})
    county.queue_raw_command(DEVICE_ID, {"id": long_id, "type": "self_destruct"})
    county.queue_command(DEVICE_ID, "g2", "self_destruct")
    agent = make_agent(env, store)
    assert agent.send_beacon() is True  # 200 with a valid server_time: delivered
    assert agent.send_beacon() is True
    acks = acks_in(county)
    assert acks["g1"][0] is True and effective_identity(env[0].identity, store.kv).maintainer == "新维护单位"
    assert acks["g2"] == (False, "unknown command type 'self_destruct'")
    assert acks["bad1"][0] is False and "type" in acks["bad1"][1]
    assert acks["bad2"][0] is False and "args" in acks["bad2"][1]
    assert acks.get(long_id, (False,))[0] is False  # acked false, or skipped if the wire cannot carry it
    assert set(acks) - {long_id} == {"g1", "g2", "bad1", "bad2"}
    assert spool_of(env).take() == []  # the malformed print_test_page never reached the UI
    agent.send_beacon()
    assert sum(1 for a in county.command_acks if a["command_id"] == "bad1") == 1  # executed once


def test_a_beacon_answer_without_a_valid_server_time_is_not_delivered(env, store, county) -> None:
    from tests.support.fake_county_http import Answer

    county.queue_command(DEVICE_ID, "h1", "self_destruct")
    real = county.beacon
    county.beacon = lambda device, body: Answer(200, {"server_time": "yesterday", "commands": []})
    agent = make_agent(env, store)
    assert agent.send_beacon() is False
    county.beacon = real
    assert agent.send_beacon() is True
