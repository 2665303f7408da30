"""Publishing: reviewer HTML, the index, the meeting paper."""
