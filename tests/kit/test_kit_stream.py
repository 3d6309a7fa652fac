"""stream(): sampling on the board into a DataFrame, the CSV logger, live plot, progress."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from chiiki_iot.kit import BoardDisconnectedError, Noise, Pulses, Ramp, Sine  # noqa: E402
from chiiki_iot.kit.scenario import Scenario  # noqa: E402
from kit_fixtures import kernel_sigint, make_board, make_kit, when_file_has_lines  # noqa: E402,F401

AXES = ["accel_x", "accel_y", "accel_z"]


def test_stream_returns_board_timed_samples_at_the_rate(make_board):
    b = make_board("esp32")
    b.scenario(temperature=Ramp(20, 30, duration=10))
    df = b.stream(["temperature", "humidity"], rate_hz=2, duration_s=10, progress=False)
    assert list(df.columns) == ["t", "temperature", "humidity"]
    assert df.t.tolist() == [i / 2 for i in range(20)]  # board clock: exactly every 0.5 s
    # BME280 through its real driver: the ramp, at the sensor's 0.01 degC resolution
    expected = [20 + i * 0.5 for i in range(20)]
    assert df.temperature.tolist() == pytest.approx(expected, abs=0.011)
    assert (df.humidity == 50.0).all()
    assert df.attrs["virtual"] is True and df.attrs["scenario"]["temperature"]["k"] == "ramp"


def test_the_same_scenario_gives_the_same_samples_every_run(make_board):
    runs = []
    for _ in range(2):
        b = make_board("microbit_v2")
        b.scenario(accel_x=Sine(0, 800, period=1.0) + Noise(40, seed=7, step=0.01),
                   accel_y=Noise(25, seed=8, step=0.01), accel_z=-1000)
        b.exec("x = [i * i for i in range(500)]")  # work that neither sleeps nor reads the clock leaves board time alone
        runs.append(b.stream(AXES, rate_hz=50, n=100, progress=False))
    pd.testing.assert_frame_equal(runs[0], runs[1])
    assert runs[0].accel_x.std() > 300  # and it is a signal, not a constant


def test_stream_matches_the_scenario_computed_on_the_host(make_board):
    b = make_board("microbit_v2")
    src = Sine(100, 700, period=2.0)
    b.scenario(accel_x=src)
    df = b.stream(["accel_x"], rate_hz=10, n=40, progress=False)
    assert df.accel_x.tolist() == [int(round(src(t))) for t in df.t]


def test_fast_stream_of_three_axes(make_board):
    b = make_board("microbit_v2")
    df = b.stream(AXES, n=5000, progress=False)
    assert len(df) == 5000
    assert df.t.is_monotonic_increasing
    assert (df.accel_z == -1000).all()
    assert df.attrs["skipped_lines"] == 0


def test_csv_logger_writes_every_sample_and_a_meta_file(make_board, tmp_path):
    b = make_board("esp32")
    path = tmp_path / "room.csv"
    df = b.stream(["temperature", "dht_humidity"], rate_hz=1, n=5, csv=path, progress=False)
    on_disk = pd.read_csv(path)
    assert list(on_disk.columns) == ["t", "temperature", "dht_humidity"]
    pd.testing.assert_frame_equal(on_disk, df.reset_index(drop=True), check_dtype=False)
    meta = yaml.safe_load(path.with_suffix(".meta.yml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True  # made by a scenario on the virtual kit
    assert meta["sessions"][0]["profile"] == "esp32"


def test_pulled_cable_mid_stream_loses_nothing_and_resumes(make_board, tmp_path):
    b = make_board("esp32", speed=1)  # real time: 30 s of board time cannot end before the pull
    path = tmp_path / "level.csv"
    pull = when_file_has_lines(path, 1 + 3, b.kit.unplug)  # pulled once 3 samples are on disk
    with pytest.raises(BoardDisconnectedError, match="保存済み") as info:
        b.stream(["distance_cm"], rate_hz=20, duration_s=30, csv=path, progress=False)
    assert pull.fired.is_set()
    pull.join()
    received = info.value.partial
    assert len(received) >= 3
    assert info.value.count == len(received)
    on_disk = pd.read_csv(path)
    assert len(on_disk) == len(received)  # every sample that arrived is on disk
    b.kit.plug()
    b.reconnect()
    more = b.stream(["distance_cm"], rate_hz=20, n=5, csv=path, progress=False)
    on_disk = pd.read_csv(path)
    assert len(on_disk) == len(received) + 5  # the same file, continued
    assert more.t.iloc[0] > received.t.iloc[-1]  # and its time goes on
    assert len(yaml.safe_load(path.with_suffix(".meta.yml").read_text(encoding="utf-8"))["sessions"]) == 2


def test_stop_button_returns_what_arrived(make_board, capsys, tmp_path, kernel_sigint):
    import os
    import signal

    b = make_board("microbit_v2", speed=1)
    path = tmp_path / "sound.csv"
    stop = when_file_has_lines(path, 1 + 5, lambda: os.kill(os.getpid(), signal.SIGINT))  # after 5 samples
    df = b.stream(["sound"], rate_hz=50, csv=path, progress=False)  # open-ended: runs until stopped
    stop.join()
    assert stop.fired.is_set()
    assert len(df) >= 5
    assert "停止しました" in capsys.readouterr().out
    assert b.eval("1") == 1


def test_live_plot_shows_the_samples(make_board):
    b = make_board("microbit_v2")
    b.scenario(sound=Pulses(at=[0.5], width=0.2, high=200, low=20))
    df = b.stream(["sound"], rate_hz=10, n=20, plot=True, progress=False)
    ax = b.plot.ax
    assert list(ax.lines[0].get_ydata()) == df.sound.tolist()
    assert b.plot.updates >= 1
    assert "音の大きさ" in ax.get_legend().get_texts()[0].get_text()
    plt.close("all")


def test_progress_bar_counts_the_samples(make_board, capsys):
    b = make_board("microbit_v2")
    b.stream(["accel_x"], n=300, progress=True)
    assert "300/300" in capsys.readouterr().err


def test_scenario_files_round_trip(tmp_path):
    s = Scenario(temperature=Ramp(18, 31, duration=60) + Noise(0.2, seed=3), motion=Pulses(at=[5, 12]))
    s.to_yaml(tmp_path / "heat.yaml")
    back = Scenario.from_yaml(tmp_path / "heat.yaml")
    assert back.specs() == s.specs()
    pd.testing.assert_frame_equal(back.preview(30, 2), s.preview(30, 2))


def test_replay_of_a_shipped_trace_through_the_ultrasonic_sensor(make_board):
    from chiiki_iot.kit import Replay

    trace = Replay.trace("river_level_rain_synthetic", "distance_cm")
    assert trace.recorded is False and "架空" in trace.source  # the file says it is made up
    b = make_board("esp32")
    b.scenario(distance_cm=trace)
    df = b.stream(["distance_cm"], rate_hz=1 / 600, n=145, progress=False)  # a day, every 10 min
    expected = pd.read_csv(Replay.trace.__func__.__globals__["TRACES_DIR"] / "river_level_rain_synthetic.csv")
    assert df.distance_cm.tolist() == pytest.approx(expected.distance_cm.tolist(), abs=0.1)


def test_a_logged_capture_replays_and_keeps_its_label(make_board, tmp_path):
    from chiiki_iot.kit import Replay

    b = make_board("esp32")
    b.scenario(temperature=Ramp(10, 20, duration=10))
    b.stream(["temperature"], rate_hz=1, n=10, csv=tmp_path / "t.csv", progress=False)
    replay = Replay.from_csv(tmp_path / "t.csv", "temperature")
    assert replay.recorded is False  # it came from a scenario, and the meta file says so
    assert replay(4.5) == pytest.approx(14.5, abs=0.01)
