"""The serving layer: the server (given the app factory), the Player and frame scheduler that
step every session fairly, the frame pacer, the garbage-collector policy and the allocator that
gives closed sessions' memory back, static assets and the keyboard component.
"""
