"""The home page: each role's to-do list, most urgent first.

Other packages add lines to it by registering a provider in :mod:`app.home.todo`.
"""
