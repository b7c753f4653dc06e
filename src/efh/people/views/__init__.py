"""Views of persons: search (``search``), a person's record (``record``), and the need-to-know
screens: refused access, break glass and information sharing (``access``)."""
