"""Landmap's geoprocessing core: pure functions over GeoDataFrames, storage behind ``Store``."""
