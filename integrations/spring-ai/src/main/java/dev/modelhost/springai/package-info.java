package dev.modelhost.springai;
