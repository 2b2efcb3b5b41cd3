#include <GLFW/glfw3.h>
#include <GL/gl.h>
