from dora._event_queue import EventQueue


def test_a_message_before_its_input_settings_is_held_then_the_settings_apply():
    q = EventQueue({})
    dropped = []
    # A route added at run time: the link was faster than the settings.
    for i in range(50):
        q.push_input("late", f"m{i}", dropped.append)
    assert dropped == []
    assert q.unread_inputs() == 50
    q.add_input("late", {"queue_size": 2, "queue_policy": "drop_oldest"})
    q.push_input("late", "m50", dropped.append)
    assert dropped == ["m0"]


def test_a_known_input_keeps_its_settings():
    q = EventQueue({"a": {"queue_size": 1}})
    q.add_input("a", {"queue_size": 100, "queue_policy": "backpressure"})
    dropped = []
    q.push_input("a", "x", dropped.append)
    q.push_input("a", "y", dropped.append)
    assert dropped == ["x"]
