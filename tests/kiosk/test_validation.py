"""One line out of a ValidationError: the key as the person wrote it, no validator names, no
union tags, no input values, no pydantic boilerplate."""

from __future__ import annotations

from typing import Annotated, Literal, Union

import pytest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kiosk.validation import MAX_CHARS, first_error, key_path


class Serial(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["serial"]
    baud: Literal[9600, 115200] = 9600


class Usb(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["usb"]
    port: str = "/dev/usb/lp0"


def _even(value: int) -> int:
    if value % 2:
        raise ValueError("must be even")
    return value


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    printer: Annotated[Union[Serial, Usb], Field(discriminator="type")]
    count: Annotated[int, AfterValidator(_even)] = 0
    secret: str = Field("", max_length=4)
    items: list[Serial] = []


def error_of(data):
    with pytest.raises(ValidationError) as err:
        Thing.model_validate(data)
    return err.value


def test_union_tag_is_left_out_when_the_input_is_given():
    data = {"printer": {"type": "serial", "baud": 1}}
    line = first_error(error_of(data), "kiosk.toml", data=data)
    assert line.startswith("kiosk.toml: printer.baud: Input should be 9600 or 115200")
    assert first_error(error_of(data)).startswith("printer.serial.baud: ")  # without the input: as pydantic says


def test_a_key_that_equals_a_tag_value_is_still_named():
    data = {"printer": {"type": "usb", "usb": 1}}
    assert first_error(error_of(data), data=data).startswith("printer.usb: Extra inputs are not permitted")


def test_list_positions_validator_names_and_value_error_prefix():
    data = {"printer": {"type": "usb"}, "count": 3, "items": [{"type": "serial"}, {"type": "serial", "baud": 2}]}
    line = first_error(error_of(data), data=data)
    assert line == "count: must be even (and 1 more)"
    data = {"printer": {"type": "usb"}, "items": [{"type": "serial"}, {"type": "serial", "baud": 2}]}
    assert first_error(error_of(data), data=data).startswith("items.1.baud: ")
    assert key_path(("count", "function-after[_even(), int]")) == ["count"]


def test_top_level_problems_and_missing_keys():
    assert first_error(error_of([])).startswith("(top): ")
    assert first_error(error_of({}), "x.toml", data={}) == "x.toml: printer: Field required"


def test_no_input_value_and_one_bounded_line():
    data = {"printer": {"type": "usb"}, "secret": "张小三110105194912310021"}
    line = first_error(error_of(data), "a\nb", data=data)
    assert "张小三" not in line and "110105" not in line and "\n" not in line
    assert line == "a b: secret: String should have at most 4 characters"
    long_source = "s" * 1000
    assert len(first_error(error_of(data), long_source)) == MAX_CHARS
