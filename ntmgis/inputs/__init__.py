"""Readers of what offices have: vector layers, tables, status, projects, forms, PostGIS.

Readers return frames with ntmgis's canonical column names and log every
problem (file, row, column, value) into an IssueLog; they never compute
monitoring (that is :mod:`ntmgis.monitoring`).

- :mod:`~ntmgis.inputs.load`: every input of a workspace at once (:func:`load_inputs`).
- :mod:`~ntmgis.inputs.vector`, :mod:`~ntmgis.inputs.tables`: files and databases.
- :mod:`~ntmgis.inputs.status`, :mod:`~ntmgis.inputs.projects`: what the tables mean.
- :mod:`~ntmgis.inputs.columns`, :mod:`~ntmgis.inputs.cells`: column aliases and cell parsing.
- :mod:`~ntmgis.inputs.legacy_text`, :mod:`~ntmgis.inputs.encodings`: TCVN3 and VNI text.
- :mod:`~ntmgis.inputs.forms`, :mod:`~ntmgis.inputs.postgis`: filled forms, PostGIS.
"""

from ntmgis.inputs.load import Inputs, load_inputs, read_criteria_set
from ntmgis.inputs.projects import read_projects
from ntmgis.inputs.status import read_status
from ntmgis.inputs.tables import read_table
from ntmgis.inputs.vector import read_vector

__all__ = ["Inputs", "load_inputs", "read_criteria_set", "read_projects", "read_status",
           "read_table", "read_vector"]
