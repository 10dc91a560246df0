"""``geomap app``: a page served by this PC (127.0.0.1) where staff drop a list and get its map.

The page is for people who do not use a terminal: they drop an Excel or CSV list, check the
columns geomap found, choose a few options and press 地図を作る. The map is the very file
``geomap render`` writes, made by :func:`geomap.pipeline.render`; nothing leaves the PC.

- :mod:`geomap.app.server`: the Starlette application, its security checks and
  :func:`~geomap.app.server.serve` (uvicorn), which the ``geomap app`` command runs;
- :mod:`geomap.app.jobs`: uploads, previews and maps, one folder and one worker queue;
- ``templates/index.html``, ``static/app.js``, ``static/app.css``: the page, fixed files.

Importing this package imports nothing from Starlette; the extra ``geomap[app]``
(``pip install "geomap[app]"``) brings Starlette, uvicorn and python-multipart.
"""
