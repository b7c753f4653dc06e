"""Views for recording: concerns (``concern``), missing episodes, return home interviews and
Philomena profiles (``missing``)."""
