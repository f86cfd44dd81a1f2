"""Shapes shared by several API modules."""

from rest_framework import serializers


class TeamRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
