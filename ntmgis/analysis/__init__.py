"""Analysis of the monitoring data: the spatial queries and their outputs.

One concept a module (the public names are gathered in :mod:`ntmgis.queries`):

- :mod:`~ntmgis.analysis.query_data`: :class:`QueryData` / ``load_data``, the
  monitoring layers a query reads (through :mod:`ntmgis.monitoring.gpkg`);
- :mod:`~ntmgis.analysis.distances`: the metric working CRS, geodesic distances;
- :mod:`~ntmgis.analysis.gaps`: criterion gaps (``gaps``, ``gap_summary``);
- :mod:`~ntmgis.analysis.access`: distance or time from villages to facilities;
- :mod:`~ntmgis.analysis.network` and :mod:`~ntmgis.analysis.terrain`: travel
  along the roads and over the elevation raster;
- :mod:`~ntmgis.analysis.misplaced`: projects away from their declared place;
- :mod:`~ntmgis.analysis.project_search`: ``find_projects``, ``find_place``;
- :mod:`~ntmgis.analysis.formatting`: headings, terminal tables, summaries;
- :mod:`~ntmgis.analysis.results`: CSV / GeoJSON / GeoPackage writers, ``write_outputs``;
- :mod:`~ntmgis.analysis.result_map`: results as offline HTML maps.

Nothing is imported here, so that importing one module loads only what it needs.
"""
